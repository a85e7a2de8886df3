"""The playground's two pieces of HTML, as plain strings (no ipywidgets): the model overview, z → G → D ← x,
lit where a control acts (`model_overview_html`), and the drawing canvas with its inline script
(`canvas_html`). `gan_lessons.widgets.playground()` puts them in its dashboard. Introduced in
04_toy_gan_playground.
"""

from __future__ import annotations

#: Which part of the model overview each control changes (the overview lights them up).
CONTROL_TARGETS = {
    "step_d": ("x", "D"),
    "step_g": ("z", "G", "D"),
    "step": ("z", "G", "x", "D"),
    "play": ("z", "G", "x", "D"),
    "lr_d": ("D",),
    "d_steps": ("D",),
    "lr_g": ("G",),
    "g_steps": ("G",),
    "latent_dim": ("z", "G"),
    "loss": ("G", "D"),
    "hidden": ("G", "D"),
    "optimizer": ("G", "D"),
    "preset": ("x",),
    "snapshot": ("z", "G", "x", "D"),
}
_NODE_LABELS = {"z": "z ~ N(0, I)", "G": "G", "x": "x ~ data", "D": "D"}


def model_overview_html(active=(), caption: str = "") -> str:
    """The playground's model overview, z → G → D ← x, as HTML: the parts in `active` (any of 'z', 'G', 'x',
    'D') are lit; `caption` says why. Introduced in 04_toy_gan_playground."""
    unknown = set(active) - set(_NODE_LABELS)
    if unknown:
        raise ValueError(f"Unknown parts {sorted(unknown)} of the model overview; choose from z, G, x, D.")

    def node(key: str) -> str:
        lit = key in active
        colour = {"G": "#7b3294", "D": "#2166ac", "z": "#555", "x": "#1a9641"}[key]
        style = (
            f"display:inline-block;padding:2px 9px;margin:0 2px;border-radius:4px;border:2px solid {colour};"
            + (
                f"background:{colour};color:white;font-weight:bold;"
                if lit
                else f"color:{colour};opacity:0.55;"
            )
        )
        cls = f"gl-node gl-node-{key}" + (" gl-active" if lit else "")
        return f"<span class='{cls}' style='{style}'>{_NODE_LABELS[key]}</span>"

    arrow = "<span style='margin:0 3px'>→</span>"
    back = "<span style='margin:0 3px'>←</span>"
    flow = node("z") + arrow + node("G") + arrow + "G(z)" + arrow + node("D") + back + node("x")
    return (
        "<div class='gl-overview' style='font-family:sans-serif;font-size:13px'>"
        f"{flow} <span class='gl-overview-caption' style='margin-left:10px;color:#444'>{caption}</span></div>"
    )


#: The drawing canvas's size in pixels and the square of the plane it shows, [-DRAW_EXTENT, DRAW_EXTENT]^2.
DRAW_PIXELS = 240
DRAW_EXTENT = 2.5

# ipywidgets has no mouse events and neither ipycanvas nor anywidget installs offline, so the canvas is a
# plain HTML <canvas> inside an ipywidgets.HTML, wired by an inline handler (ipywidgets sets the HTML as
# innerHTML, where an onerror handler runs in JupyterLab and Voila alike). Each stroke's end writes every
# point so far, one "x, y" per line, into the Textarea beside it and fires its input and change events,
# which is how ipywidgets hears a user typing: the kernel gets the points through the widget's own channel.
_DRAW_JS = (
    (
        "(function(img){var box=img.closest('.gl-draw');if(!box||box.dataset.ready)return;box.dataset.ready=1;"
        "var c=box.querySelector('canvas'),g=c.getContext('2d'),pts=[],down=false,last=null,P=__PX__,E=__EXT__;"
        "function grid(){g.fillStyle='#fff';g.fillRect(0,0,P,P);g.strokeStyle='#ddd';g.beginPath();"
        "g.moveTo(P/2,0);g.lineTo(P/2,P);g.moveTo(0,P/2);g.lineTo(P,P/2);g.stroke();}"
        "function send(){var t=box.querySelector('.gl-draw-points textarea');if(!t)return;"
        "t.value=pts.map(function(p){return p[0].toFixed(3)+', '+p[1].toFixed(3)}).join('\\n');"
        "t.dispatchEvent(new Event('input',{bubbles:true}));t.dispatchEvent(new Event('change',{bubbles:true}));}"
        "function add(e){var r=c.getBoundingClientRect(),u=(e.clientX-r.left)*P/r.width,v=(e.clientY-r.top)*P/r.height;"
        "if(last&&Math.hypot(u-last[0],v-last[1])<4)return;last=[u,v];"
        "pts.push([(u/P*2-1)*E,(1-v/P*2)*E]);g.fillStyle='#1a9641';g.beginPath();g.arc(u,v,2.5,0,7);g.fill();}"
        "c.addEventListener('pointerdown',function(e){down=true;last=null;c.setPointerCapture(e.pointerId);add(e);});"
        "c.addEventListener('pointermove',function(e){if(down)add(e);});"
        "function up(){if(down){down=false;send();}}c.addEventListener('pointerup',up);"
        "c.addEventListener('pointercancel',up);"
        "box.querySelector('.gl-draw-clear').addEventListener('click',function(){pts=[];grid();send();});grid();"
        "})(this)"
    )
    .replace("__PX__", str(DRAW_PIXELS))
    .replace("__EXT__", repr(DRAW_EXTENT))
)


def canvas_html() -> str:
    """The drawing canvas's HTML: a <canvas>, a Clear button, and the handler that wires them."""
    js = _DRAW_JS.replace('"', "&quot;")
    return (
        f"<canvas class='gl-draw-canvas' width='{DRAW_PIXELS}' height='{DRAW_PIXELS}' "
        "style='border:1px solid #999;cursor:crosshair;touch-action:none'></canvas><br>"
        "<button class='gl-draw-clear' type='button'>Clear drawing</button>"
        f'<img src="data:," alt="" style="display:none" onerror="{js}">'
    )


__all__ = ["model_overview_html", "canvas_html"]

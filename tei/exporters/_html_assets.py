"""The HTML edition's inline stylesheet and script (no external resources, system fonts only)."""

from __future__ import annotations

_CSS = r"""
:root {
  --text: 35rem; --margin: 16.5rem; --gap: 2.25rem; --gutter: 4.5rem;
  --ink: #1c1a17; --paper: #fdfcf9; --muted: #57524a; --rule: #d8d2c6; --link: #7b2d0f;
  --serif: "Iowan Old Style", "Palatino Linotype", Palatino, "Book Antiqua", "Charis SIL",
           Cambria, Georgia, "DejaVu Serif", serif;
  --sans: system-ui, -apple-system, "Segoe UI", "Noto Sans", "Helvetica Neue", Arial,
          "DejaVu Sans", sans-serif;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--paper); color: var(--ink);
  font: 1.0625rem/1.65 var(--serif); font-kerning: normal;
  font-variant-ligatures: common-ligatures; font-feature-settings: "onum" 1, "kern" 1; }
a { color: var(--link); text-underline-offset: .15em; text-decoration-thickness: 1px; }
a:focus-visible, button:focus-visible, input:focus-visible, main:focus-visible {
  outline: 3px solid #1f5fbf; outline-offset: 2px; border-radius: 2px; }
.skip { position: absolute; left: -999px; top: .5rem; background: var(--ink); color: #fff;
  padding: .4rem .8rem; z-index: 10; }
.skip:focus { left: .5rem; }
.page { max-width: calc(var(--gutter) + var(--text) + var(--gap) + var(--margin) + 2rem);
  margin: 0 auto; padding: 2.5rem 1rem 5rem var(--gutter); }
.page > *:not(main):not(.backmatter) { max-width: calc(var(--text) + var(--gap) + var(--margin)); }
h1, h2, h3, h4, h5, h6 { font-weight: normal; line-height: 1.25; text-wrap: balance; }
h2 { font-size: 1.45rem; margin: 2.6rem 0 1rem; font-variant: small-caps; letter-spacing: .03em; }
h3 { font-size: 1.2rem; margin: 2rem 0 .8rem; font-style: italic; }
h4, h5, h6 { font-size: 1.05rem; margin: 1.6rem 0 .6rem; font-weight: 600; }
/* title page */
.titlepage, .mn, .enote, .pop, .back, .notes, .legend { overflow-wrap: break-word; }
.titlepage { text-align: center; padding: 2rem 0 2.5rem; border-bottom: 1px solid var(--rule);
  margin-bottom: 1.5rem; max-width: var(--text) !important; }
.titlepage .kicker { font: .8rem/1.4 var(--sans); letter-spacing: .18em; text-transform: uppercase;
  color: var(--muted); margin: 0 0 1.4rem; }
.titlepage h1 { font-size: clamp(1.7rem, 4vw, 2.5rem); margin: 0 0 .8rem; }
.titlepage h1.long { font-size: clamp(1.4rem, 3vw, 1.9rem); }
.titlepage .subtitle { font-size: 1.2rem; font-style: italic; margin: 0 0 1rem; }
.titlepage .authors { font-variant: small-caps; font-size: 1.15rem; letter-spacing: .04em; }
.titlepage .editors, .titlepage .annotators { font-style: italic; margin: .3rem 0; }
.titlepage .pub, .titlepage .srcdesc { font-size: .9rem; color: var(--muted); margin: .3rem 0; }
nav.toc { font: .85rem/1.5 var(--sans); margin: 0 0 1.5rem; max-width: var(--text) !important; }
nav.toc ul { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap;
  gap: .3rem 1.2rem; justify-content: center; }
/* legend */
.legend { font: .9rem/1.5 var(--sans); max-width: var(--text) !important;
  border: 1px solid var(--rule); border-radius: 4px; padding: .2rem 1.1rem .8rem;
  background: #fff; }
.legend h2 { font: 600 .8rem/1.4 var(--sans); text-transform: uppercase; letter-spacing: .12em;
  margin: .9rem 0 .4rem; font-variant: normal; }
.legend fieldset { border: 0; padding: 0; margin: 0; }
.legend legend { padding: 0; margin-bottom: .3rem; color: var(--muted); }
.legend ul.cats { list-style: none; padding: 0; margin: 0; display: grid;
  grid-template-columns: repeat(auto-fill, minmax(13rem, 1fr)); gap: .2rem 1rem; }
.legend ul.cats ul { list-style: none; padding-left: 1.9rem; margin: 0; color: var(--muted);
  font-size: .82rem; }
.legend label { cursor: pointer; display: inline-flex; align-items: center; gap: .35rem;
  min-height: 1.6rem; }
.legend input { width: 1rem; height: 1rem; margin: 0; accent-color: #3b3a36; }
.legend .count { color: var(--muted); }
.legend .hint { color: var(--muted); font-size: .8rem; margin: .6rem 0 0; }
.sw { display: inline-block; width: .85em; height: .85em; border-radius: 2px;
  background: var(--c, #ccc); border: 1px solid rgba(0,0,0,.25); vertical-align: -.05em; }
/* the text */
main { margin-top: 2rem; }
main:focus { outline: none; }
.row { display: grid; grid-template-columns: minmax(0, var(--text)) var(--margin);
  column-gap: var(--gap); align-items: start; }
.row > .text { grid-column: 1; position: relative; margin: 0 0 .55em; hyphens: auto;
  overflow-wrap: break-word; }
.row > aside.m { grid-column: 2; grid-row: 1; }
section.div { margin: 0; }
p.text { text-align: justify; text-align-last: start; }
.row + .row > p.text:not(.center) { text-indent: 1.4em; }
h2.text, h3.text, h4.text, h5.text, h6.text { text-align: center; }
.text.center, .doctitle, .docauthor, .docdate, .docimprint, .byline, .trailer { text-align: center; }
.doctitle { font-size: 1.4rem; }
.lg { margin: 1rem 0 1.2rem; }
.row > .text.l { margin: 0; text-align: start; }
.lg .row > .text { margin: 0; padding-inline-start: 2rem; text-indent: -1rem; text-align: start; }
.lg .row > .text.indent { padding-inline-start: 3.5rem; }
.text .lnum { position: absolute; right: 100%; margin-right: .6rem; font: .72rem/2 var(--sans);
  color: var(--muted); text-indent: 0; }
ul.list { list-style: none; padding: 0; margin: .6rem 0 1rem; }
ul.list > li.row > .text { padding-left: 1.6rem; }
ul.list > li.row > .text::before { content: "–"; position: absolute; left: .4rem; color: var(--muted); }
blockquote.quote { margin: 1rem 0; }
blockquote.quote .row > .text { padding: 0 1.5rem; font-size: .96rem; text-indent: 0 !important; }
.sp { margin: .6rem 0; }
.speaker { font-variant: small-caps; letter-spacing: .04em; margin: .8rem 0 0 !important; }
.stage { font-style: italic; color: var(--muted); }
.inote { font-size: .9rem; color: var(--muted); border-left: 2px solid var(--rule); padding-left: .8rem; }
.unknown { }
.sic::after { content: " [sic]"; font-size: .8em; color: var(--muted); }
.corr, .reg { text-decoration: underline dotted var(--muted); text-underline-offset: .2em; }
.unclear { background: repeating-linear-gradient(90deg, transparent 0 2px, rgba(0,0,0,.06) 2px 4px); }
.supplied::before { content: "["; color: var(--muted); }
.supplied::after { content: "]"; color: var(--muted); }
ol.interventions { font-size: .92rem; }
.small-caps { font-variant: small-caps; }
.role { font-variant: small-caps; letter-spacing: .03em; }
.roledesc { font-style: italic; margin-left: .3em; }  /* cast lists often have no space here */
.spaced { letter-spacing: .12em; }
figure.figure { margin: 1rem 0; }
table.ttable { border-collapse: collapse; font-size: .92rem; margin: .6rem 0 1rem; }
table.ttable td, table.ttable th { border-bottom: 1px solid var(--rule); padding: .2rem .6rem; vertical-align: top; }
/* page numbers of the source, in the left margin */
.pb { white-space: nowrap; }
.pb.at0::before { content: none; }
.pb::before { content: "|"; color: #8c857a; font-family: var(--sans); font-size: .85em; padding: 0 .1em; }
.pbn { position: absolute; right: calc(100% + 1.1rem); font: .75rem/2.2 var(--sans);
  color: var(--muted); text-indent: 0; letter-spacing: .02em; white-space: nowrap; }
.pbn::before { content: "p. "; }
/* annotated passages */
.a { background: var(--bg); border-bottom: 2px solid var(--c); padding-bottom: 1px;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; cursor: pointer; }
.a.l1 { padding-bottom: 4px; } .a.l2 { padding-bottom: 7px; } .a.l3 { padding-bottom: 10px; }
.a.hot { background: var(--hot); }
sup.ar, sup.fr { line-height: 0; font: 600 .66em/0 var(--sans); margin-left: .08em; }
sup.ar a, sup.fr a { text-decoration: none; padding: 0 .12em; border-radius: 2px; }
sup.ar a { color: var(--ink); background: var(--bg); border: 1px solid var(--c); border-radius: 3px;
  padding: 0 .2em; font-size: .95em; }
sup.fr { font: .72em/0 var(--serif); }
sup.fr a { color: var(--link); }
/* margin notes */
aside.m { font: .8rem/1.45 var(--sans); color: var(--ink); position: relative; }
.js aside.m { height: 0; overflow: visible; }
.js aside.m .mn { margin-bottom: 0; }
.mn { border-left: 3px solid var(--c); padding: .1rem 0 .1rem .6rem; margin: 0 0 .7rem;
  background: #fff; border-radius: 0 3px 3px 0; }
.mn.flash { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: var(--hot); } to { background: #fff; } }
.mn p, .enote p { margin: 0 0 .3rem; }
.nh { font-size: .95em; }
.nh .num { margin-right: .1rem; }
.nh .cat { font-weight: 600; }
.nh .npg { color: var(--muted); margin-left: .4rem; font-size: .9em; }
.nh .sw { margin-right: .35rem; }
.lemma { font-family: var(--serif); font-style: italic; }
.expl { font-style: italic; }
.meta { color: var(--muted); font-size: .9em; }
.src .rel { font-variant: small-caps; font-weight: 600; letter-spacing: .03em; }
dl.fig { display: grid; grid-template-columns: max-content 1fr; gap: 0 .6rem; margin: .2rem 0 .4rem; }
dl.fig dt { color: var(--muted); }
dl.fig dd { margin: 0; }
table.alts { border-collapse: collapse; width: 100%; margin: .2rem 0 .5rem; font-size: .95em; }
table.alts caption { text-align: left; color: var(--muted); font-size: .9em; }
table.alts th, table.alts td { text-align: left; vertical-align: top; padding: .15rem .3rem .15rem 0;
  border-bottom: 1px solid var(--rule); }
table.alts th { font-weight: 600; }
table.alts td, table.figidx td { overflow-wrap: anywhere; }  /* long tokens wrap, headers do not */
/* notes and back matter */
.notes, .back { font: .92rem/1.55 var(--sans); }
.notes h2, .back h2 { font-family: var(--serif); }
ol.fns { list-style: none; padding: 0; font-family: var(--serif); font-size: .95rem; }
ol.fns .fnlab { font: 600 .8rem var(--sans); }
ol.app, ul.orph { list-style: none; padding: 0; max-width: var(--text); }
.enote { border-left: 3px solid var(--c); padding: .3rem 0 .3rem .8rem; margin: 0 0 .9rem; }
.enote:target { background: var(--hot); }
.back { max-width: calc(var(--text) + var(--gap) + var(--margin)); }
a.back { font-size: .85em; }
.tscroll { overflow-x: auto; }
table.figidx { border-collapse: collapse; width: 100%; font-size: .88rem; }
table.figidx th, table.figidx td { text-align: left; vertical-align: top; padding: .35rem .5rem;
  border-bottom: 1px solid var(--rule); }
table.figidx thead th { border-bottom: 2px solid var(--ink); }
table.figidx ul { margin: 0; padding: 0; list-style: none; }
.st-disputed { color: #8a1c0c; } .st-resolved { color: #1d5e2c; }
ul.bib { padding-left: 1.5rem; text-indent: -1.5rem; list-style: none; font-family: var(--serif); }
ul.bib li { margin: 0 0 .4rem; }
.citedin { font: .8rem var(--sans); color: var(--muted); }
.why { color: var(--muted); font-size: .85em; overflow-wrap: anywhere; }
.about dl { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
.about dt { color: var(--muted); } .about dd { margin: 0; }
footer.about { border-top: 1px solid var(--rule); margin-top: 3rem; }
/* popover (narrow screens) */
.pop { position: fixed; left: .5rem; right: .5rem; bottom: .5rem; max-height: 60vh; overflow: auto;
  background: #fff; border: 1px solid var(--rule); border-radius: 6px; padding: .8rem 2.5rem .6rem 1rem;
  box-shadow: 0 6px 24px rgba(0,0,0,.25); font: .9rem/1.5 var(--sans); z-index: 20; }
.pop[hidden] { display: none; }
.pop .close { position: absolute; right: .4rem; top: .3rem; font-size: 1.4rem; line-height: 1;
  background: none; border: 0; cursor: pointer; padding: .2rem .5rem; color: var(--ink); }
.pop .enote { border-left-width: 3px; margin: 0; display: block; }
/* narrow screens: one column, notes as popovers and endnotes */
@media (max-width: 62rem) {
  .page { padding: 1.2rem 1rem 3rem 1rem; }
  .row { display: block; }
  aside.m { display: none; }
  .pbn { position: static; font-size: .7rem; line-height: 1; margin: 0 .15rem;
    border: 1px solid var(--rule); border-radius: 2px; padding: 0 .2rem; }
  .text .lnum { display: none; }
  table.figidx { font-size: .78rem; }
  table.alts { font-size: .85em; display: block; overflow-x: auto; }  /* scrolls, never widens */
  table.figidx th, table.figidx td { padding: .3rem .25rem; overflow-wrap: anywhere; }
  body { font-size: 1.03rem; }
}
@media print {
  @page { size: A4; margin: 22mm 20mm 24mm 26mm;
    @bottom-center { content: counter(page); font: 8pt/1 sans-serif; color: #57524a; } }
  @page :first { @bottom-center { content: none; } }
  :root { --text: 100%; }
  body { background: #fff; font-size: 10.5pt; line-height: 1.5; }
  .page { max-width: none; padding: 0 0 0 2.6rem; }
  .row { display: block; }
  aside.m, nav.toc, .skip, .pop, .legend fieldset input, .legend .hint, a.back { display: none !important; }
  .a { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  .titlepage { page-break-after: always; border: 0; padding-top: 25vh; }
  h2, h3, h4 { break-after: avoid; }
  .enote, tr, .mn { break-inside: avoid; }
  #apparatus, #figures, #bibliography { break-before: page; }
  .pbn { position: absolute; right: calc(100% + .7rem); border: 0; padding: 0; margin: 0;
    font-size: 7pt; line-height: 2.3; }
  /* no hyphens inside words on paper: a PDF's text layer keeps them, and a search misses the word */
  .row > .text { position: relative; hyphens: manual; }
  /* in greyscale the colours are gone: the annotations' marks carry a dagger, the source's
     own note marks stay plain numbers */
  a.aref::before, ol.app .num::before { content: "\2020"; }
}
@media (prefers-reduced-motion: reduce) { .mn.flash { animation: none; } }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var body = document.body, wide = window.matchMedia("(min-width: 62.01rem)");
  var pop = document.getElementById("pop"), popBody = pop.querySelector(".pc"), lastFocus = null;
  function each(sel, fn, root) { Array.prototype.forEach.call((root || document).querySelectorAll(sel), fn); }
  each("input.toggle", function (cb) {
    cb.addEventListener("change", function () {
      body.classList.toggle("hide-" + cb.getAttribute("data-k"), !cb.checked); layout();
    });
    body.classList.toggle("hide-" + cb.getAttribute("data-k"), !cb.checked);
  });
  /* place each margin note level with the first line of its passage, never overlapping the
     one before (the margin column has no height of its own, so rows keep the text's rhythm) */
  function layout() {
    var notes = document.querySelectorAll("aside.m .mn"), plan = [], i, cursor = -1e9;
    var main = document.getElementById("text");
    for (i = 0; i < notes.length; i++) notes[i].style.marginTop = "";
    main.style.paddingBottom = "";
    if (!wide.matches) return;
    var y = window.scrollY;
    for (i = 0; i < notes.length; i++) {
      var n = notes[i], r = n.getBoundingClientRect();
      if (!r.width) continue;
      var span = n.parentNode.parentNode.querySelector('.a[data-n="' + n.getAttribute("data-n") + '"]');
      var want = span ? span.getBoundingClientRect().top + y - 3 : r.top + y;
      plan.push([n, r.top + y, want, r.height]);
    }
    var shift = 0, lastAside = null;
    plan.forEach(function (p) {
      if (p[0].parentNode !== lastAside) { shift = 0; lastAside = p[0].parentNode; }
      var natural = p[1] + shift, top = Math.max(p[2], cursor, natural - shift);
      var margin = Math.max(0, top - natural);
      p[0].style.marginTop = margin + "px";
      shift += margin;
      cursor = top + p[3] + 10;
    });
    var end = main.getBoundingClientRect().bottom + y;
    if (cursor > end) main.style.paddingBottom = (cursor - end) + "px";
  }
  function openPop(n, from) {
    var src = document.getElementById("n-" + n);
    if (!src) return false;
    var copy = src.cloneNode(true);
    copy.removeAttribute("id");
    each("[id]", function (e) { e.removeAttribute("id"); }, copy);
    popBody.textContent = "";
    popBody.appendChild(copy);
    pop.hidden = false; lastFocus = from; pop.focus();
    return true;
  }
  function closePop() {
    if (pop.hidden) return;
    pop.hidden = true;
    if (lastFocus) lastFocus.focus();
  }
  pop.querySelector(".close").addEventListener("click", closePop);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closePop(); });
  document.addEventListener("click", function (e) {
    var ref = e.target.closest("a.aref"), span = ref ? null : e.target.closest(".a");
    if (!ref && !span) { if (!pop.contains(e.target)) closePop(); return; }
    var n = (ref || span).getAttribute("data-n");
    var mn = document.querySelector('.mn[data-n="' + n + '"]');
    if (wide.matches && mn && mn.offsetParent !== null) {
      e.preventDefault();
      mn.classList.remove("flash"); void mn.offsetWidth; mn.classList.add("flash");
      var r = mn.getBoundingClientRect();
      if (r.top < 0 || r.bottom > window.innerHeight) mn.scrollIntoView({block: "center"});
    } else if (openPop(n, ref || document.getElementById("r-" + n))) {
      e.preventDefault();
    }
  });
  function hot(e, on) {
    var mn = e.target.closest && e.target.closest(".mn, .a");
    if (!mn) return;
    each('.a[data-n="' + mn.getAttribute("data-n") + '"]', function (s) { s.classList.toggle("hot", on); });
  }
  document.addEventListener("mouseover", function (e) { hot(e, true); });
  document.addEventListener("mouseout", function (e) { hot(e, false); });
  window.addEventListener("resize", layout);
  if (wide.addEventListener) wide.addEventListener("change", layout);
  if (document.fonts && document.fonts.ready) document.fonts.ready.then(layout);
  body.classList.add("js");
  layout();
  body.setAttribute("data-ready", "1");
})();
"""


def stylesheet() -> str:
    """Return the edition's stylesheet."""
    return _CSS


def _rgba(color: str, alpha: float) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def category_css(colors: dict[str, str]) -> str:
    """Return colour variables and show/hide rules for the category classes (``k0``, ``k1``…)."""
    out = []
    for k, color in colors.items():
        out.append(f".{k}{{--c:{color};--bg:{_rgba(color, 0.26)};--hot:{_rgba(color, 0.55)}}}")
        # two rules per form: a browser without :has() drops only the second one
        for hidden in (f"body.hide-{k}", f"body:has(#t-{k}:not(:checked))"):
            out.append(f"{hidden} .a.{k}{{background:none;border-bottom-color:transparent;cursor:auto}}")
            out.append(f"{hidden} sup.ar a.{k}, {hidden} .mn.{k}{{display:none}}")
    return "\n".join(out) + "\n"

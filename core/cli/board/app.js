// softrl board: the list of runs and sweeps, their learning curves (drawn
// here as SVG, the same way softrl plot draws them: the mean over a
// variant's seeds with a min–max band over the rows every seed has), a
// sweep's summary, a run's config.ini and videos.  Polls the server every
// two seconds; only curves whose progress.csv changed are asked for again.
"use strict";

const POLL_MS = 2000;
const PAGE_SIZE = 100;
// Okabe & Ito's palette, in softrl plot's order (core/plot.c).
const PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#f0e442", "#000000"];
const BAND_OPACITY = 0.22; // as softrl plot's bands
const AXIS_NAMES = {
  env_steps: "environment steps", wall_s: "wall time (s)", eval_return_mean: "average return (evaluation)",
  train_return_mean: "average return (training)", alpha: "temperature α",
};
const SVG = "http://www.w3.org/2000/svg";

const state = {
  offset: 0,
  list: null,            // the last /api/list answer
  selected: new Set(),   // run ids plotted
  userChose: false,      // whether the selection is the user's (else the page picks one)
  progress: new Map(),   // run id → {version, columns, rows}
  details: null,         // {kind, id} shown below the chart
  polls: 0,
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function fileUrl(id) {
  return "/files/" + id.split("/").map(encodeURIComponent).join("/");
}

async function getJson(url) {
  const r = await fetch(url, { cache: "no-store" });
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || r.statusText);
  return body;
}

// ---------------------------------------------------------------- numbers

// 0, 250k, 1M, 2.5M: step counts as a paper prints them.
// Returns (ticks a few hundred apart) stay plain: -1250, 3000.
function formatNumber(v, step) {
  const a = Math.abs(v);
  if (a >= 1e6 && step >= 1e5) return trim(v / 1e6) + "M";
  if (a >= 1e3 && step >= 1e4) return trim(v / 1e3) + "k";
  return trim(v);
}

function trim(v) {
  return String(Math.round(v * 1000) / 1000);
}

function formatCell(v, digits) {
  if (v === null || v === undefined) return "–";
  return Math.abs(v) >= 1e5 ? formatNumber(v, 1e5) : v.toFixed(digits);
}

function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function ticks(lo, hi, count) {
  const step = niceStep(hi - lo, count);
  const out = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return { step, values: out };
}

// ---------------------------------------------------------------- curves

// One curve per group of seeds (or per run): the mean, the lowest and the
// highest over the rows every run of it has, leaving out rows where one has
// no number, as make_curve in core/cmd-plot.c.
function makeCurves(runs, xcol, ycol, grouped) {
  const groups = new Map();
  for (const run of runs) {
    const key = grouped ? run.group : run.id;
    if (!groups.has(key)) groups.set(key, { key, label: grouped ? run.label : run.name, runs: [] });
    groups.get(key).runs.push(run);
  }
  // A label two groups share gets its first run's name to tell them apart.
  const seen = new Map();
  for (const g of groups.values()) seen.set(g.label, (seen.get(g.label) || 0) + 1);
  const curves = [];
  for (const g of groups.values()) {
    if (seen.get(g.label) > 1) g.label += " (" + g.runs[0].name + ")";
    const series = [];
    for (const run of g.runs) {
      const p = state.progress.get(run.id);
      if (!p || !p.rows.length) continue;
      const xi = p.columns.indexOf(xcol), yi = p.columns.indexOf(ycol);
      if (xi < 0 || yi < 0) continue;
      series.push(p.rows.map((row) => [row[xi], row[yi]]));
    }
    if (!series.length) continue;
    const rows = Math.min(...series.map((s) => s.length));
    const points = [];
    for (let r = 0; r < rows; r++) {
      let sx = 0, sy = 0, lo = Infinity, hi = -Infinity, ok = true;
      for (const s of series) {
        const [x, y] = s[r];
        if (x === null || y === null) { ok = false; break; }
        sx += x; sy += y; lo = Math.min(lo, y); hi = Math.max(hi, y);
      }
      if (ok) points.push({ x: sx / series.length, y: sy / series.length, lo, hi });
    }
    if (points.length) curves.push({ label: g.label, key: g.key, seeds: series.length, points, runs: g.runs });
  }
  return curves;
}

function drawChart(curves, xcol, ycol, band) {
  const chart = $("chart");
  chart.replaceChildren();
  const width = chart.clientWidth || 800, height = chart.clientHeight || 430;
  chart.setAttribute("viewBox", `0 0 ${width} ${height}`);
  chart.dataset.curves = curves.length;
  if (!curves.length) {
    chart.append(svg("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "empty" },
                     state.selected.size ? `no rows with ${xcol} and ${ycol} yet` : "tick runs in the list to plot them"));
    return;
  }
  const m = { left: 66, right: 22, top: 14, bottom: 46 };
  // The x axis starts at 0; y spans the bands with a margin.
  let x1 = 0, y0 = Infinity, y1 = -Infinity;
  for (const c of curves)
    for (const p of c.points) {
      x1 = Math.max(x1, p.x);
      y0 = Math.min(y0, band ? p.lo : p.y);
      y1 = Math.max(y1, band ? p.hi : p.y);
    }
  const x0 = Math.min(0, ...curves.map((c) => c.points[0].x));
  if (x1 <= x0) x1 = x0 + 1;
  const pad = y1 > y0 ? 0.05 * (y1 - y0) : 1;
  y0 -= pad; y1 += pad;
  const w = width - m.left - m.right, h = height - m.top - m.bottom;
  const sx = (x) => m.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y) => m.top + (1 - (y - y0) / (y1 - y0)) * h;

  const grid = svg("g", { class: "gridlines" });
  const xt = ticks(x0, x1, Math.max(3, Math.floor(w / 90)));
  for (const t of xt.values) {
    grid.append(svg("line", { x1: sx(t), x2: sx(t), y1: m.top, y2: m.top + h, class: "grid" }));
    // Labels stay inside the picture: the last one ends at the right edge.
    const anchor = sx(t) > width - 30 ? "end" : "middle";
    grid.append(svg("text", { x: Math.min(sx(t), width - 2), y: m.top + h + 17, "text-anchor": anchor },
                    formatNumber(t, xt.step)));
  }
  const yt = ticks(y0, y1, Math.max(3, Math.floor(h / 55)));
  for (const t of yt.values) {
    grid.append(svg("line", { x1: m.left, x2: m.left + w, y1: sy(t), y2: sy(t), class: "grid" }));
    grid.append(svg("text", { x: m.left - 6, y: sy(t) + 4, "text-anchor": "end" }, formatNumber(t, yt.step)));
  }
  chart.append(grid);
  chart.append(svg("rect", { x: m.left, y: m.top, width: w, height: h, fill: "none", class: "axis" }));
  chart.append(svg("text", { x: m.left + w / 2, y: height - 8, "text-anchor": "middle", class: "title" }, AXIS_NAMES[xcol] || xcol));
  chart.append(svg("text", { x: 14, y: m.top + h / 2, "text-anchor": "middle", class: "title",
                             transform: `rotate(-90 14 ${m.top + h / 2})` }, AXIS_NAMES[ycol] || ycol));

  // All bands first, then all lines: no band covers another curve's line.
  const bands = svg("g", { class: "bands" }), lines = svg("g", { class: "lines" });
  curves.forEach((c, i) => {
    const colour = PALETTE[i % PALETTE.length];
    c.colour = colour;
    const pts = c.points;
    if (band && pts.length > 1 && c.seeds > 1) {
      const upper = pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.hi).toFixed(1)}`);
      const lower = pts.slice().reverse().map((p) => `${sx(p.x).toFixed(1)},${sy(p.lo).toFixed(1)}`);
      bands.append(svg("path", { d: "M" + upper.join("L") + "L" + lower.join("L") + "Z", fill: colour,
                                 "fill-opacity": BAND_OPACITY, stroke: "none", class: "band" }));
    }
    // Many curves: thinner, so that they stay apart.
    const attrs = { class: "curve", "data-label": c.label, "data-points": pts.length, stroke: colour, fill: "none",
                    "stroke-width": curves.length > 16 ? 1.1 : 2.2, "stroke-linejoin": "round" };
    if (pts.length > 1) {
      attrs.d = "M" + pts.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join("L");
      lines.append(svg("path", attrs));
    } else {
      const g = svg("g", attrs);
      g.append(svg("circle", { cx: sx(pts[0].x), cy: sy(pts[0].y), r: 3.5, fill: colour }));
      lines.append(g);
    }
  });
  chart.append(bands, lines);
  hover(chart, curves, { sx, sy, x0, x1, m, w, h, xcol });
}

// Under the pointer: a rule at the nearest evaluation and each curve's
// value there.
function hover(chart, curves, g) {
  const rule = svg("line", { y1: g.m.top, y2: g.m.top + g.h, stroke: "#9aa1ad", "stroke-dasharray": "3 3", visibility: "hidden" });
  const tip = svg("g", { visibility: "hidden", "pointer-events": "none" });
  chart.append(rule, tip);
  chart.onmouseleave = () => { rule.setAttribute("visibility", "hidden"); tip.setAttribute("visibility", "hidden"); };
  chart.onmousemove = (event) => {
    const box = chart.getBoundingClientRect();
    const scale = (chart.viewBox.baseVal.width || box.width) / box.width;
    const px = (event.clientX - box.left) * scale;
    if (px < g.m.left || px > g.m.left + g.w) return chart.onmouseleave();
    const x = g.x0 + ((px - g.m.left) / g.w) * (g.x1 - g.x0);
    const lines = [];
    let nearest = null;
    for (const c of curves) {
      let best = c.points[0];
      for (const p of c.points) if (Math.abs(p.x - x) < Math.abs(best.x - x)) best = p;
      if (!nearest || Math.abs(best.x - x) < Math.abs(nearest - x)) nearest = best.x;
      lines.push([c.colour, `${c.label}: ${formatCell(best.y, 1)}` + (c.seeds > 1 ? ` [${formatCell(best.lo, 1)}, ${formatCell(best.hi, 1)}]` : "")]);
    }
    rule.setAttribute("x1", g.sx(nearest));
    rule.setAttribute("x2", g.sx(nearest));
    rule.setAttribute("visibility", "visible");
    tip.replaceChildren();
    const rows = [[null, `${g.xcol} ${formatCell(nearest, 0)}`], ...lines.slice(0, 12)];
    const width = 14 + 7 * Math.max(...rows.map((r) => r[1].length));
    const left = g.sx(nearest) + width + 12 > g.m.left + g.w ? g.sx(nearest) - width - 8 : g.sx(nearest) + 8;
    tip.append(svg("rect", { x: left, y: g.m.top + 6, width, height: 8 + 17 * rows.length, rx: 4, fill: "#fff",
                             "fill-opacity": 0.93, stroke: "#d5d9e0" }));
    rows.forEach(([colour, text], i) => {
      tip.append(svg("text", { x: left + 8, y: g.m.top + 22 + 17 * i, style: `fill:${colour || "#4b5563"}` }, text));
    });
    tip.setAttribute("visibility", "visible");
  };
}

function drawLegend(curves, ycol) {
  const legend = $("legend");
  legend.replaceChildren();
  // A long legend would push the details out of sight: the first ones,
  // and how many more (the pointer's readout names them all).
  const LEGEND_MAX = 16;
  for (const c of curves.slice(0, LEGEND_MAX)) {
    const last = c.points[c.points.length - 1];
    legend.append(el("span", { class: "item", title: c.runs.map((r) => r.name).join("\n") },
                     el("span", { class: "line", style: `background:${c.colour}` }), c.label,
                     el("span", { class: "meta" },
                        `${c.seeds > 1 ? c.seeds + " seeds, " : ""}${ycol} ${formatCell(last.y, 1)}`)));
  }
  if (curves.length > LEGEND_MAX)
    legend.append(el("span", { class: "item meta" }, `… and ${curves.length - LEGEND_MAX} more`));
}

// ---------------------------------------------------------------- list

function statusWord(status) {
  // "failed: why" shows as failed, with the reason as a tooltip.
  return (status || "").split(":")[0];
}

function badge(status) {
  return el("span", { class: "badge " + statusWord(status), title: status }, statusWord(status));
}

function matches(run, text) {
  if (!text) return true;
  const hay = [run.name, run.label, run.algorithm, run.env, run.status, run.sweep].join(" ").toLowerCase();
  return text.toLowerCase().split(/\s+/).every((w) => hay.includes(w));
}

function curveColours() {
  const map = new Map();
  for (const path of $("chart").querySelectorAll(".curve")) map.set(path.dataset.label, path.getAttribute("stroke"));
  return map;
}

function renderList() {
  const list = state.list;
  const table = $("runs");
  for (const tb of table.querySelectorAll("tbody")) tb.remove();
  const filter = $("filter").value.trim();
  const sweeps = new Map(list.sweeps.map((s) => [s.id, s]));
  const colours = state.lastCurves ? new Map(state.lastCurves.flatMap((c) => c.runs.map((r) => [r.id, c.colour]))) : new Map();
  let body = null, current;
  for (const run of list.runs) {
    if (!matches(run, filter)) continue;
    if (!body || run.sweep !== current) {
      current = run.sweep;
      body = el("tbody");
      table.append(body);
      const s = run.sweep ? sweeps.get(run.sweep) : null;
      const members = list.runs.filter((r) => r.sweep === run.sweep && matches(r, filter));
      const box = el("input", { type: "checkbox", title: "plot all of these" });
      box.checked = members.every((r) => state.selected.has(r.id));
      box.addEventListener("change", () => {
        for (const r of members) box.checked ? state.selected.add(r.id) : state.selected.delete(r.id);
        state.userChose = true;
        refreshCurves();
      });
      const title = s ? el("span", { class: "name", onclick: () => showDetails("sweep", s.id) }, "sweep " + s.name)
                      : el("span", {}, "runs");
      const sub = s ? el("span", { class: "sub" }, `${s.runs} runs${s.summary ? " · summary" : ""}`) : null;
      body.append(el("tr", { class: "sweep", "data-sweep": s ? s.id : "" }, el("td", {}, box), el("td", { colspan: 7 }, title, sub)));
    }
    const box = el("input", { type: "checkbox" });
    box.checked = state.selected.has(run.id);
    box.addEventListener("change", () => {
      box.checked ? state.selected.add(run.id) : state.selected.delete(run.id);
      state.userChose = true;
      refreshCurves();
    });
    const colour = colours.get(run.id);
    body.append(el("tr", { class: "run" + (state.selected.has(run.id) ? " shown" : ""), "data-run": run.id, "data-status": statusWord(run.status) },
      el("td", {}, box),
      el("td", {}, el("span", { class: "swatch", style: colour ? `background:${colour}` : "" }),
         el("span", { class: "name", title: run.id, onclick: () => showDetails("run", run.id) }, run.name)),
      el("td", {}, badge(run.status)),
      el("td", {}, run.algorithm || "–"),
      el("td", {}, run.env || "–"),
      el("td", { class: "num" }, run.seed || "–"),
      el("td", { class: "num" }, formatCell(run.steps, 0)),
      el("td", { class: "num", title: run.progress_error || "" }, run.progress_error ? "unreadable" : formatCell(run.last_eval, 1))));
  }
  const pager = $("pager");
  pager.replaceChildren();
  if (list.total > PAGE_SIZE) {
    pager.append(`runs ${list.offset + 1}–${Math.min(list.total, list.offset + PAGE_SIZE)} of ${list.total}`);
    pager.append(el("button", { type: "button", onclick: () => page(-1) }, "‹ previous"));
    pager.append(el("button", { type: "button", onclick: () => page(1) }, "next ›"));
  } else pager.append(`${list.total} run${list.total === 1 ? "" : "s"}`);

  $("counts").replaceChildren(...Object.entries(list.counts).map(([k, n]) => el("span", { class: "badge " + k }, `${n} ${k}`)));
  $("roots").textContent = list.roots.join("  ");
}

function page(direction) {
  const next = state.offset + direction * PAGE_SIZE;
  if (next < 0 || next >= state.list.total) return;
  state.offset = next;
  poll();
}

// A first view: the first sweep's runs, else the first few runs.
function defaultSelection() {
  if (state.userChose || state.selected.size || !state.list.runs.length) return;
  const first = state.list.runs[0];
  const pick = first.sweep ? state.list.runs.filter((r) => r.sweep === first.sweep) : state.list.runs.slice(0, 8);
  for (const r of pick.slice(0, 40)) state.selected.add(r.id);
}

// ---------------------------------------------------------------- details

function markdownTable(text) {
  const out = el("div");
  let table = null;
  for (const line of text.split("\n")) {
    const t = line.trim();
    if (t.startsWith("|")) {
      const cells = t.replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
      if (cells.every((c) => /^:?-+:?$/.test(c))) continue;
      if (!table) { table = el("table", { class: "md" }); out.append(table); table.append(el("tr", {}, ...cells.map((c) => el("th", {}, c)))); }
      else table.append(el("tr", {}, ...cells.map((c) => el("td", { class: /^[-\d.±\s]+$/.test(c) ? "num" : "" }, c))));
    } else {
      table = null;
      if (t.startsWith("#")) out.append(el("h2", {}, t.replace(/^#+\s*/, "")));
      else if (t) out.append(el("p", { class: "hint" }, t.replace(/`/g, "")));
    }
  }
  return out;
}

async function showDetails(kind, id) {
  state.details = { kind, id };
  // The address names what is shown, to come back to or pass on.
  history.replaceState(null, "", "#" + kind + "=" + encodeURIComponent(id));
  const box = $("details");
  box.replaceChildren(el("p", { class: "hint" }, "loading…"));
  try {
    if (kind === "sweep") {
      const s = state.list.sweeps.find((x) => x.id === id);
      const parts = [el("h2", {}, "sweep " + (s ? s.name : id))];
      if (s && s.summary) {
        const r = await fetch(fileUrl(s.summary), { cache: "no-store" });
        parts.push(r.ok ? markdownTable(await r.text()) : el("p", { class: "error" }, "summary.md: " + r.statusText));
      } else parts.push(el("p", { class: "hint" }, "no summary.md yet: softrl summarize " + id.replace(/^\d+\//, "") + " writes one"));
      box.replaceChildren(...parts);
      return;
    }
    const run = state.list.runs.find((x) => x.id === id);
    const parts = [el("h2", {}, run ? run.name : id)];
    if (run) {
      parts.push(el("p", {}, badge(run.status), ` ${run.algorithm || "?"} on ${run.env || "?"}, seed ${run.seed || "?"}, ` +
                    `${formatCell(run.steps, 0)} steps, last evaluation ${formatCell(run.last_eval, 1)}` +
                    (run.wall_s !== null ? `, ${formatCell(run.wall_s, run.wall_s < 10 ? 1 : 0)} s` : "")));
      if (run.videos.length) {
        const videos = el("div", { class: "videos" });
        for (const v of run.videos) {
          const media = v.endsWith(".gif") ? el("img", { src: fileUrl(v), alt: v })
                                           : el("video", { src: fileUrl(v), controls: "", loop: "", muted: "", preload: "auto" });
          videos.append(el("figure", {}, media, el("figcaption", {}, v.split("/").pop())));
        }
        parts.push(videos);
      }
      if (run.config) {
        const r = await fetch(fileUrl(run.config), { cache: "no-store" });
        parts.push(el("pre", { class: "config" }, r.ok ? await r.text() : "config.ini: " + r.statusText));
      }
    }
    box.replaceChildren(...parts);
  } catch (e) {
    box.replaceChildren(el("p", { class: "error" }, String(e)));
  }
}

// ---------------------------------------------------------------- updates

function selectedRuns() {
  return state.list ? state.list.runs.filter((r) => state.selected.has(r.id)) : [];
}

// Ask for the rows not seen yet of every plotted run whose progress.csv
// changed; a file that shrank (a resumed run rewrites it) is read again.
async function fetchProgress() {
  const jobs = selectedRuns().filter((r) => r.version && (state.progress.get(r.id) || {}).version !== r.version).map(async (run) => {
    const have = state.progress.get(run.id);
    const from = have ? have.rows.length : 0;
    try {
      let p = await getJson(`/api/progress?run=${encodeURIComponent(run.id)}&from=${from}`);
      if (have && (p.total < from || p.columns.join() !== have.columns.join()))
        p = await getJson(`/api/progress?run=${encodeURIComponent(run.id)}&from=0`);
      const rows = p.from === 0 ? p.rows : have.rows.concat(p.rows);
      state.progress.set(run.id, { version: run.version, columns: p.columns, rows });
    } catch (e) {
      state.progress.delete(run.id); // gone, or not readable now: tried again next time
    }
  });
  await Promise.all(jobs);
  // Runs no longer plotted, or gone, are forgotten: memory follows the plot.
  for (const id of [...state.progress.keys()]) if (!state.selected.has(id)) state.progress.delete(id);
}

function updateColumns() {
  const select = $("y-column");
  const columns = new Set();
  for (const p of state.progress.values()) for (const c of p.columns) if (c !== "epoch") columns.add(c);
  if (!columns.size) columns.add("eval_return_mean");
  const want = select.value || "eval_return_mean";
  const names = [...columns];
  if (select.options.length !== names.length || [...select.options].some((o, i) => o.value !== names[i])) {
    select.replaceChildren(...names.map((c) => el("option", { value: c }, c)));
    select.value = columns.has(want) ? want : names[0];
  }
}

// Redrawn only when something drawn changed, so that a poll with nothing
// new leaves the chart (and the pointer's readout) alone.
let drawnSignature = "";

function redraw(force) {
  const xcol = $("x-column").value, ycol = $("y-column").value || "eval_return_mean";
  const band = $("show-band").checked;
  const signature = JSON.stringify([xcol, ycol, band, $("group-seeds").checked, $("chart").clientWidth,
                                    $("filter").value, state.list, [...state.selected],
                                    selectedRuns().map((r) => (state.progress.get(r.id) || {}).version)]);
  if (!force && signature === drawnSignature) return;
  drawnSignature = signature;
  const curves = makeCurves(selectedRuns(), xcol, ycol, $("group-seeds").checked);
  drawChart(curves, xcol, ycol, band);
  drawLegend(curves, ycol);
  state.lastCurves = curves;
  renderList();
}

async function refreshCurves() {
  await fetchProgress();
  updateColumns();
  redraw();
}

async function poll() {
  try {
    state.list = await getJson(`/api/list?offset=${state.offset}&limit=${PAGE_SIZE}`);
    defaultSelection();
    await refreshCurves();
    $("live").className = "ok";
    $("live").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    $("live").className = "down";
    $("live").textContent = "board not answering";
  }
  state.polls++;
  document.body.dataset.polls = state.polls;
}

// Every two seconds, or less often when an update takes long (a directory
// of thousands of runs on a busy disk): the board never spends more than
// a fifth of its time answering this page.
async function loop() {
  const started = performance.now();
  await poll();
  const wanted = /^#(run|sweep)=(.+)$/.exec(location.hash);
  if (wanted && !state.details) showDetails(wanted[1], decodeURIComponent(wanted[2]));
  setTimeout(loop, Math.max(POLL_MS, 5 * (performance.now() - started)));
}

$("filter").addEventListener("input", () => state.list && renderList());
$("select-none").addEventListener("click", () => { state.selected.clear(); state.userChose = true; refreshCurves(); });
for (const id of ["y-column", "x-column", "group-seeds", "show-band"]) $(id).addEventListener("change", () => redraw());
window.addEventListener("resize", () => state.list && redraw());
loop();

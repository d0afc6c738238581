// The Reports tab's bar charts: drawn on a canvas from the JSON the server put in #graph-data
// ({tabs: [{title, series, bars: [{label, values, key?}], drill?: {key: bars}}]}), one tab at a time.
// With All, a click on a group's bars shows its members (drill) and Back returns. Save downloads a PNG.
(function () {
  "use strict";
  const COLOURS = ["#2e7d32", "#c62828", "#f9a825", "#1565c0"];
  const NAMES = {connected: "Connected", missed: "Missed", not_connected: "Not connected", calls: "Calls",
                 seconds: "Call duration (s)", inbound: "Inbound (s)", outbound: "Outbound (s)"};
  const root = document.querySelector(".graph");
  const data = JSON.parse(document.getElementById("graph-data").textContent);
  const canvas = root.querySelector("canvas");
  const tabs = root.querySelector(".graph-tabs");
  const back = root.querySelector(".graph-back");
  const hint = root.querySelector(".graph-hint");
  let tab = data.tabs[0], bars = tab.bars, title = tab.title, hits = [];

  function draw() {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height, left = 60, bottom = 90, top = 50;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = "#222";
    ctx.font = "bold 16px sans-serif";
    ctx.fillText(title, left, 24);
    const max = Math.max(1, ...bars.flatMap((b) => b.values));
    const plot = h - top - bottom, slot = (w - left - 10) / Math.max(1, bars.length);
    const width = Math.max(2, Math.min(40, (slot - 8) / tab.series.length));
    ctx.font = "12px sans-serif";
    tab.series.forEach((s, i) => {  // legend
      ctx.fillStyle = COLOURS[i];
      ctx.fillRect(left + 300 + i * 150, 12, 12, 12);
      ctx.fillStyle = "#222";
      ctx.fillText(NAMES[s] || s, left + 316 + i * 150, 22);
    });
    ctx.strokeStyle = "#999";
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, top + plot);
    ctx.lineTo(w - 10, top + plot);
    ctx.stroke();
    ctx.fillStyle = "#222";
    ctx.fillText(String(max), 4, top + 10);
    ctx.fillText("0", 4, top + plot);
    hits = [];
    bars.forEach((b, i) => {
      const x0 = left + i * slot + 4;
      b.values.forEach((v, k) => {
        const bh = plot * v / max;
        ctx.fillStyle = COLOURS[k];
        ctx.fillRect(x0 + k * width, top + plot - bh, width - 1, bh);
      });
      hits.push({x: x0, w: slot - 4, key: b.key});
      ctx.save();
      ctx.fillStyle = "#222";
      ctx.translate(x0 + 2, top + plot + 8);
      ctx.rotate(Math.PI / 4);
      ctx.fillText(b.label.length > 24 ? b.label.slice(0, 23) + "…" : b.label, 0, 0);
      ctx.restore();
    });
    canvas.setAttribute("aria-label", title + ": " + bars.map((b) => b.label + " " + b.values.join("/")).join(", "));
  }

  function show(t) {
    tab = t;
    bars = t.bars;
    title = t.title;
    back.hidden = true;
    hint.hidden = !t.drill;
    tabs.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b.textContent === t.title)));
    draw();
  }

  data.tabs.forEach((t) => {
    const b = document.createElement("button");
    b.type = "button";
    b.setAttribute("role", "tab");
    b.textContent = t.title;
    b.addEventListener("click", () => show(t));
    tabs.appendChild(b);
  });
  canvas.addEventListener("click", (e) => {
    if (!tab.drill || bars !== tab.bars) return;
    const r = canvas.getBoundingClientRect(), x = (e.clientX - r.left) * canvas.width / r.width;
    const hit = hits.find((h) => x >= h.x && x < h.x + h.w);
    if (!hit || !tab.drill[hit.key]) return;
    title = tab.title + " · " + tab.bars.find((b) => b.key === hit.key).label;
    bars = tab.drill[hit.key];
    back.hidden = false;
    hint.hidden = true;
    draw();
  });
  back.addEventListener("click", () => show(tab));
  root.querySelector(".graph-save").addEventListener("click", () => {
    const a = document.createElement("a");
    a.href = canvas.toDataURL("image/png");
    a.download = title.replace(/[^\w\- ]+/g, "_") + ".png";
    document.body.appendChild(a);
    a.click();
    a.remove();
  });
  show(tab);
})();

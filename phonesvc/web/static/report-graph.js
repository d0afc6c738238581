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

  // A round step for the value axis (1, 2 or 5 times a power of ten, at least 1) giving about four gridlines.
  function step(max) {
    const rough = max / 4, power = Math.pow(10, Math.floor(Math.log10(rough)));
    return Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough));  // counts, whole seconds
  }

  // The label cut to fit `room` pixels (the rotated labels under the bars must not leave the canvas).
  function fit(ctx, label, room) {
    if (ctx.measureText(label).width <= room) return label;
    let cut = label;
    while (cut.length > 1 && ctx.measureText(cut + "…").width > room) cut = cut.slice(0, -1);
    return cut + "…";
  }

  function draw() {
    const ctx = canvas.getContext("2d");
    const w = canvas.width, h = canvas.height, left = 60, bottom = 130, top = 50;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, w, h);
    ctx.fillStyle = "#222";
    ctx.font = "bold 16px sans-serif";
    ctx.fillText(title, left, 24);
    const max = Math.max(1, ...bars.flatMap((b) => b.values));
    const plot = h - top - bottom, slot = (w - left - 10) / Math.max(1, bars.length);
    const width = Math.max(2, Math.min(40, (slot - 8) / tab.series.length));
    ctx.font = "12px sans-serif";
    const legend = Math.max(left + 300, left + ctx.measureText(title).width * 4 / 3 + 40);
    tab.series.forEach((s, i) => {
      ctx.fillStyle = COLOURS[i];
      ctx.fillRect(legend + i * 140, 12, 12, 12);
      ctx.fillStyle = "#222";
      ctx.fillText(NAMES[s] || s, legend + 16 + i * 140, 22);
    });
    const unit = step(max), topValue = Math.ceil(max / unit) * unit;
    ctx.textAlign = "right";
    for (let v = 0; v <= topValue; v += unit) {  // gridlines with their values
      const y = top + plot - plot * v / topValue;
      ctx.strokeStyle = v ? "#e5e5e5" : "#999";
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(w - 10, y);
      ctx.stroke();
      ctx.fillStyle = "#222";
      ctx.fillText(String(v), left - 6, y + 4);
    }
    ctx.textAlign = "left";
    ctx.strokeStyle = "#999";
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, top + plot);
    ctx.stroke();
    hits = [];
    bars.forEach((b, i) => {
      const x0 = left + i * slot + 4;
      b.values.forEach((v, k) => {
        const bh = plot * v / topValue;
        ctx.fillStyle = COLOURS[k];
        ctx.fillRect(x0 + k * width, top + plot - bh, width - 1, bh);
      });
      hits.push({x: x0, w: slot - 4, key: b.key});
      ctx.save();
      ctx.fillStyle = "#222";
      ctx.translate(x0 + 2, top + plot + 8);
      ctx.rotate(Math.PI / 4);
      ctx.fillText(fit(ctx, b.label, Math.min(bottom - 16, w - x0 - 4) * Math.SQRT2), 0, 0);
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

// The gadget's team panel: draws the members from the server's event stream (the whole panel on every change),
// counts call durations, and posts the actions. EventSource reconnects by itself; the server sends the whole
// panel on each connect, so the page catches up; until then it says it is disconnected.
// Other gadget scripts (loaded after this one) extend the panel through window.Gadget: its helpers, and hooks
// called for every call block, every member row and every drawn panel. The stream opens on DOMContentLoaded,
// after every deferred script has registered its hooks.
"use strict";
(function () {
  const root = document.getElementById("gadget");
  const list = document.getElementById("members");
  if (!root || !list || !root.dataset.stream) return;
  const me = Number(root.dataset.me), team = JSON.parse(root.dataset.team), base = root.dataset.base;
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
  const status = document.getElementById("connection"), problem = document.getElementById("problem");
  const dialog = document.getElementById("presence-dialog"), form = document.getElementById("presence-form");
  let clockOffset = 0; // server time minus this browser's time, in seconds
  const hooks = {call: [], member: [], drawn: []};

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v); else node.setAttribute(k, v);
    }
    children.filter(Boolean).forEach((c) => node.append(c));
    return node;
  }

  function duration(started) {
    const s = Math.max(0, Math.floor(Date.now() / 1000 + clockOffset - started));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = String(s % 60).padStart(2, "0");
    return h ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
  }

  async function post(action, fields) {
    const response = await fetch(`${base}/${action}`, {method: "POST", credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf}, body: new URLSearchParams(fields)});
    if (response.ok) return {ok: true};
    const json = (response.headers.get("content-type") || "").includes("json");
    const answer = json ? await response.json() : {field: "", message: ""};
    if (response.status === 403 && !answer.message) answer.message = "Not allowed: your account may not do this.";
    return answer;
  }

  function say(message) {
    problem.textContent = message || "";
    problem.hidden = !message;
  }

  function callBlock(call, member) {
    const arrow = el("span", {class: "dir", "aria-label": call.incoming ? "incoming" : "outgoing",
                              text: call.incoming ? "←" : "→"});
    const state = {ringing: "ringing", active: "active", held: "on hold"}[call.state] || call.state;
    const parts = [arrow, el("span", {class: "caller", text: call.name || call.number || state}),
      call.name && call.number ? el("span", {class: "number", text: call.number}) : null,
      call.started !== null ? el("span", {class: "duration", "data-started": call.started,
                                          text: duration(call.started)}) : null];
    const li = el("li", {class: `call ${call.state}`,
                         title: call.vip ? `VIP call${call.vip_level ? `, VIP level ${call.vip_level}` : ""}` : state});
    if (call.vip) li.append(el("span", {class: "vip", "aria-label": `VIP level ${call.vip_level}`, text: "★"}));
    const canPick = call.state === "ringing" && call.incoming && member.user !== me;
    if (canPick) {
      const label = `Pick up call from ${call.name || call.number} for ${member.name}`;
      li.append(el("button", {type: "button", "aria-label": label, onclick: async () => {
        const answer = await post("pickup", {call: call.id});
        say(answer.ok ? "" : answer.message);
      }}, ...parts));
    } else {
      li.setAttribute("aria-label", `${state} call ${call.incoming ? "from" : "to"} ${call.name || call.number}`);
      parts.filter(Boolean).forEach((p) => li.append(p));
    }
    hooks.call.forEach((hook) => hook(li, call, member));
    return li;
  }

  function memberRow(m) {
    const mayChange = m.user === me || team;
    const presenceName = `Presence of ${m.name}: ${m.presence_label}`;
    const presence = mayChange
      ? el("button", {type: "button", class: `presence presence-${m.presence}`, "aria-label": presenceName,
                      title: presenceName, onclick: () => openDialog(m)})
      : el("span", {class: `presence presence-${m.presence}`, role: "img", "aria-label": presenceName});
    if (m.manager) presence.append(el("span", {class: "crown", "aria-hidden": "true", text: "♛"}));
    const details = el("ul", {class: "details"},
      el("li", {text: m.presence_label + (m.manager ? " · Manager" : "")}),
      m.message ? el("li", {class: "message", text: m.message}) : null,
      el("li", {text: m.number}),
      m.forwarding ? el("li", {text: `Forwarded to ${m.forwarding}`}) : null,
      m.department ? el("li", {text: m.department}) : null);
    const calls = el("ol", {class: "calls", "aria-label": `Calls of ${m.name}`}, ...m.calls.map((c) => callBlock(c, m)));
    const row = el("li", {class: m.user === me ? "member me" : "member", "aria-label": m.name},
      el("span", {class: `line line-${m.line_state}`, role: "img", "aria-label": `Phone: ${m.line_label}`,
                  title: m.line_label, text: "☎"}),
      presence,
      el("div", {class: "who"}, el("div", {class: "name", text: m.name}), details),
      m.user !== me ? el("button", {type: "button", class: "dial", "aria-label": `Call ${m.name}`, text: "Call",
        onclick: async () => { const a = await post("dial", {member: m.member}); say(a.ok ? "" : a.message); }}) : null,
      calls);
    hooks.member.forEach((hook) => hook(row, m));
    return row;
  }

  function draw(panel) {
    if (panel.signed_out) { location.reload(); return; }
    if (!panel.members) { list.replaceChildren(); say("This group is no longer yours to see."); return; }
    clockOffset = panel.now - Date.now() / 1000;
    const mine = panel.members.filter((m) => m.user === me), others = panel.members.filter((m) => m.user !== me);
    list.replaceChildren(...[...mine, ...others].map(memberRow));
    hooks.drawn.forEach((hook) => hook(panel));
  }

  function openDialog(m) {
    form.elements.user.value = m.user;
    form.elements.presence.value = [0, 1, 3, 4].includes(m.presence) ? m.presence : 0;
    form.elements.message.value = m.message;
    document.getElementById("presence-title").textContent = m.user === me ? "My status" : `Status of ${m.name}`;
    form.querySelectorAll(".error").forEach((p) => { p.textContent = ""; });
    dialog.showModal();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await post("presence", {user: form.elements.user.value, presence: form.elements.presence.value,
                                           message: form.elements.message.value});
    if (answer.ok) { dialog.close(); return; }
    const where = {presence: "presence-error", message: "message-error"}[answer.field] || "dialog-error";
    document.getElementById(where).textContent = answer.message;
  });
  document.getElementById("presence-cancel").addEventListener("click", () => dialog.close());

  window.Gadget = {root, me, team, base, el, post, say, hooks};
  document.addEventListener("DOMContentLoaded", () => {
    const source = new EventSource(root.dataset.stream);
    source.addEventListener("panel", (event) => {
      draw(JSON.parse(event.data));
      root.dataset.current = event.lastEventId; // the bus's event count the panel shows
      status.textContent = "Live";
      status.classList.remove("lost");
      list.classList.remove("stale");
    });
    source.addEventListener("error", () => {
      status.textContent = "Disconnected: reconnecting…";
      status.classList.add("lost");
      list.classList.add("stale");
      // Closed for good: the server answered but not with the stream (a restart signed everyone out, a proxy's
      // error page). Only a reload, by way of sign-in if need be, brings the panel back.
      if (source.readyState === EventSource.CLOSED) setTimeout(() => location.reload(), 2000);
    });
  });
  setInterval(() => {
    document.querySelectorAll("[data-started]").forEach((d) => { d.textContent = duration(Number(d.dataset.started)); });
  }, 1000);
})();

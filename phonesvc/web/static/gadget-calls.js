// Call control of the user's own calls (the manual's "Transfer calls"), through gadget.js's hooks: drag a call
// onto another member (ringing: blind transfer at once; active or held: the Transfer dialog; Ctrl held: blind),
// right-click a call for the menu of its state (the same menu opens from each call's "Call actions" button, for
// the keyboard), the destination dialog of the menu's transfers (a number or a member), and Complete or Cancel
// while a consultation goes on (the panel shows one: a held call and a second call on the user's line).
// The server decides what may be done (gadget_calls.py); its refusals are shown as they come.
"use strict";
(function () {
  const G = window.Gadget;
  if (!G) return;
  const {el, post, say, me, hooks} = G;
  const DRAG = "application/x-phonesvc-call";
  const menu = document.getElementById("call-menu");
  const transfer = document.getElementById("transfer-dialog");
  const destination = document.getElementById("destination-dialog");
  const form = document.getElementById("destination-form");
  let others = []; // the other members of the drawn panel: the destination dialog's list
  let dropped = null; // {call, member} the Transfer dialog is about
  let asked = null; // {call, action} the destination dialog is about
  let menuCall = null; // the id of the call the open menu is about

  const party = (call) => call.name || call.number || "your caller";
  const about = (call) => `${call.state === "held" ? "held " : ""}call ${call.incoming ? "from" : "to"} ${party(call)}`;

  async function act(action, fields) {
    const answer = await post(action, fields);
    say(answer.ok ? "" : answer.message);
    return answer;
  }

  const simple = (action) => (call) => act(action, {call: call.id});
  const ask = (action) => (call) => openDestination(call, action);
  const MENUS = { // the manual's context menu per call state
    ringing: [["Answer", simple("answer")], ["End call", simple("end")], ["Blind transfer", ask("blind")]],
    active: [["End call", simple("end")], ["Hold call", simple("hold")],
      ["Consultation transfer", ask("consult")], ["Blind transfer", ask("blind")]],
    held: [["End call", simple("end")], ["Resume call", simple("resume")],
      ["Consultation transfer", ask("consult")], ["Blind transfer", ask("blind")]],
  };

  function openMenu(call, x, y, from) {
    // a call the user is still dialling can only be ended
    const items = call.state === "ringing" && !call.incoming ? [MENUS.ringing[1]] : MENUS[call.state] || [];
    menu.replaceChildren(...items.map(([label, run]) => el("li", {role: "none"},
      el("button", {type: "button", role: "menuitem", tabindex: "-1", text: label,
                    onclick: () => { closeMenu(); run(call); }}))));
    menu.setAttribute("aria-label", `Actions for the ${about(call)}`);
    menu.hidden = false;
    menuCall = call.id;
    menu.style.left = `${Math.max(0, Math.min(x, innerWidth - menu.offsetWidth - 4))}px`;
    menu.style.top = `${Math.max(0, Math.min(y, innerHeight - menu.offsetHeight - 4))}px`;
    from.setAttribute("aria-expanded", "true");
    menu.querySelector("[role=menuitem]")?.focus();
  }

  const actionsButton = (id) => document.querySelector(`.call-actions[data-call="${CSS.escape(id)}"]`);

  function closeMenu() { // focus goes back to the call's button: the one drawn now, the panel may have changed
    if (menu.hidden) return;
    menu.hidden = true;
    const button = actionsButton(menuCall);
    menuCall = null;
    button?.setAttribute("aria-expanded", "false");
    button?.focus();
  }

  menu.addEventListener("keydown", (event) => { // the menu pattern: arrows, Home/End, Escape, Tab leaves
    const items = [...menu.querySelectorAll("[role=menuitem]")], at = items.indexOf(document.activeElement);
    const to = {ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1}[event.key];
    if (to !== undefined) {
      event.preventDefault();
      items[(to + items.length) % items.length].focus();
    } else if (event.key === "Escape" || event.key === "Tab") {
      event.preventDefault();
      closeMenu();
    }
  });
  document.addEventListener("mousedown", (event) => { if (!menu.contains(event.target)) closeMenu(); });

  function openTransfer(call, member) {
    dropped = {call, member};
    document.getElementById("transfer-text").textContent = `Transfer the ${about(call)} to ${member.name}.`;
    document.getElementById("transfer-error").textContent = "";
    transfer.showModal();
  }

  async function transferDropped(action) {
    const answer = await post(action, {call: dropped.call.id, member: dropped.member.member});
    if (answer.ok) transfer.close();
    else document.getElementById("transfer-error").textContent = answer.message;
  }

  document.getElementById("transfer-consult").addEventListener("click", () => transferDropped("consult"));
  document.getElementById("transfer-blind").addEventListener("click", () => transferDropped("blind"));
  document.getElementById("transfer-cancel").addEventListener("click", () => transfer.close());

  function openDestination(call, action) {
    asked = {call, action};
    document.getElementById("destination-title").textContent =
      action === "blind" ? "Blind transfer" : "Consultation transfer";
    document.getElementById("destination-text").textContent = `Where should the ${about(call)} go?`;
    form.elements.number.value = "";
    form.elements.member.replaceChildren(el("option", {value: "", text: "(none: the number above)"}),
      ...others.map((m) => el("option", {value: m.member, text: `${m.name} (${m.number})`})));
    form.querySelectorAll(".error").forEach((p) => { p.textContent = ""; });
    destination.showModal();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const member = form.elements.member.value;
    const answer = await post(asked.action, member ? {call: asked.call.id, member}
                                                   : {call: asked.call.id, number: form.elements.number.value});
    if (answer.ok) { destination.close(); say(""); return; }
    const where = {number: "number-error", member: "member-error"}[answer.field] || "destination-error";
    document.getElementById(where).textContent = answer.message;
  });
  document.getElementById("destination-cancel").addEventListener("click", () => destination.close());

  hooks.call.push((li, call, member) => {
    if (member.user !== me) return;
    const button = el("button", {type: "button", class: "call-actions", "aria-haspopup": "menu", "data-call": call.id,
                                 "aria-expanded": String(call.id === menuCall), "aria-label": `Call actions: ${about(call)}`,
                                 text: "⋯"});
    button.addEventListener("click", () => {
      const box = button.getBoundingClientRect();
      openMenu(call, box.left, box.bottom, button);
    });
    li.append(button);
    li.classList.add("own");
    li.draggable = true;
    li.addEventListener("dragstart", (event) => {
      event.dataTransfer.setData(DRAG, JSON.stringify(call));
      event.dataTransfer.effectAllowed = "all"; // Ctrl turns a move into a copy: the drop must still be allowed
    });
    li.addEventListener("contextmenu", (event) => {
      event.preventDefault();
      openMenu(call, event.clientX, event.clientY, button);
    });
  });

  hooks.member.push((row, m) => {
    if (m.user === me) {
      const held = m.calls.find((c) => c.state === "held");
      const consulted = m.calls.find((c) => c !== held && (c.state === "active" || !c.incoming));
      if (held && consulted) {
        row.append(el("div", {class: "consultation", role: "group", "aria-label": "Consultation transfer"},
          el("span", {text: `${party(held)} is on hold.`}),
          el("button", {type: "button", class: "primary", text: "Complete transfer",
                        onclick: () => act("complete", {call: held.id})}),
          el("button", {type: "button", "aria-label": "Cancel transfer", text: "Cancel",
                        onclick: () => act("cancel", {call: held.id})})));
      }
      return;
    }
    row.addEventListener("dragover", (event) => {
      if (!event.dataTransfer.types.includes(DRAG)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      row.classList.add("drop");
    });
    row.addEventListener("dragleave", (event) => {
      if (!row.contains(event.relatedTarget)) row.classList.remove("drop");
    });
    row.addEventListener("drop", async (event) => {
      event.preventDefault();
      row.classList.remove("drop");
      const call = JSON.parse(event.dataTransfer.getData(DRAG) || "null");
      if (!call) return;
      if (call.state === "ringing" || event.ctrlKey) await act("blind", {call: call.id, member: m.member});
      else openTransfer(call, m);
    });
  });

  hooks.drawn.push((panel) => {
    others = panel.members.filter((m) => m.user !== me);
    if (menuCall && !actionsButton(menuCall)) closeMenu(); // its call is gone
  });
})();

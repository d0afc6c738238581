// The gadget's Forward settings (the manual's "Gadget integration", Forwarding): the handset icon of a member
// whose forwarding the user may set (their own; any teammate's with TeammateStatus) opens the dialog. A manager's
// forwarding is application forwarding (with Group); everyone else's is the phone line's. The server decides
// and refuses what is not allowed or not possible (gadget_forwarding.py); its message goes next to the field.
"use strict";
(function () {
  const G = window.Gadget;
  const dialog = document.getElementById("forwarding-dialog"), form = document.getElementById("forwarding-form");
  if (!G || !dialog) return;
  let panel = {members: []};
  G.hooks.drawn.push((p) => { panel = p; });

  G.hooks.member.push((row, m) => {
    if (m.user !== G.me && !G.team) return;
    const icon = row.querySelector(".line"); // stays inside, the line status image it is
    const button = G.el("button", {type: "button", class: "forward", title: `Forwarding of ${m.name}`,
                                   "aria-label": `Phone: ${m.line_label}. Forwarding of ${m.name}`, onclick: () => open(m)});
    icon.replaceWith(button);
    button.append(icon);
  });

  function open(m) {
    form.reset();
    form.elements.member.value = m.member;
    document.getElementById("forwarding-title").textContent = m.user === G.me ? "My forwarding" : `Forwarding of ${m.name}`;
    document.getElementById("forwarding-now").textContent = m.forwarding ? `Now forwarded to ${m.forwarding}` : "Now: no forwarding";
    document.getElementById("forwarding-kind").textContent = m.manager ? "Set application forwarding"
      : "Set phone line forwarding"; // a manager's own line forwarding is set on the phone (the manual)
    form.querySelector(".manager-only").hidden = !m.manager;
    const others = panel.members.filter((o) => o.member !== m.member);
    document.getElementById("forwarding-members").replaceChildren(...others.map((o) => G.el("label", {},
      G.el("input", {type: "radio", name: "to", value: `member:${o.member}`}), ` ${o.name} (${o.number})`)));
    form.elements.to.value = m.forwarding ? "" : "none";
    form.querySelectorAll(".error").forEach((p) => { p.textContent = ""; });
    dialog.showModal();
  }

  form.elements.number.addEventListener("input", () => { form.elements.to.value = "number"; });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelectorAll(".error").forEach((p) => { p.textContent = ""; });
    const [to, target] = (form.elements.to.value || "").split(":");
    if (!to) { document.getElementById("to-error").textContent = "Choose where calls go."; return; }
    const answer = await G.post("forwarding", {member: form.elements.member.value, to, target: target || "",
                                               number: form.elements.number.value});
    if (answer.ok) { dialog.close(); return; }
    const where = {to: "to-error", number: "forwarding-number-error", target: "target-error"}[answer.field] || "forwarding-error";
    document.getElementById(where).textContent = answer.message;
  });
  document.getElementById("forwarding-cancel").addEventListener("click", () => dialog.close());
})();

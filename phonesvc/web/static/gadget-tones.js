// The Jabber tones (the manual's "Team member ringtone notifications"): when a call starts ringing at a member,
// every gadget of the group plays the group's tone (the manager's tone for the manager's calls, the assistants'
// for theirs; a group without manager has one tone), except the gadget of the member whose call it is, and says
// it in a polite live region. Browsers refuse sound before the user has touched the page: then a button offers it.
"use strict";
(function () {
  const G = window.Gadget;
  const news = document.getElementById("call-news"), soundOn = document.getElementById("sound-on");
  const audio = document.getElementById("tone");
  if (!G || !audio) return;
  let seen = null; // ids of the calls ringing at others at the last draw; null before the first (no tone on opening)

  function play() {
    audio.play().then(() => { soundOn.hidden = true; }).catch((error) => {
      if (error.name === "NotAllowedError") soundOn.hidden = false;
    });
  }
  soundOn.addEventListener("click", play); // a user gesture: from now on the page may play

  G.hooks.drawn.push((panel) => {
    const ringing = new Map(), mine = new Set();
    for (const m of panel.members) {
      for (const c of m.calls.filter((call) => call.state === "ringing" && call.incoming)) {
        if (m.user === G.me) mine.add(c.id);
        else if (!ringing.has(c.id) || m.manager) ringing.set(c.id, m); // ringing in parallel: the manager's call
      }
    }
    const fresh = seen === null ? [] : [...ringing].filter(([id]) => !seen.has(id) && !mine.has(id));
    seen = new Set(ringing.keys());
    if (!ringing.size) news.textContent = "";
    if (!fresh.length) return;
    const member = (fresh.find(([, m]) => m.manager) || fresh[0])[1];
    const tones = panel.tones || {};
    const file = panel.members.some((m) => m.manager)
      ? (member.manager ? tones.manager : tones.assistant) : (tones.assistant || tones.manager);
    news.textContent = `Call for ${member.name}`;
    if (!file) return;
    audio.src = `${G.base}/tone/${encodeURIComponent(file)}`;
    play();
  });
})();

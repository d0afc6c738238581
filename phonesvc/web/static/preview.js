/* The phone preview: fetches each screen (/preview/screen: the CiscoIPPhone object as the chosen model reads
   it; preview-screen.js draws it) and does what the phone does with its keys, its Back stack, URIs (SoftKey:,
   Key:, Init:, Dial:, Play:, QueryStringParam:), Refresh headers and pushes (/preview/stream). */
(function () {
  "use strict";
  const root = document.getElementById("phone");
  if (!root) return;
  const P = JSON.parse(root.dataset.phone);
  const $ = (id) => document.getElementById(id);
  const area = $("phone-area");
  const screen = window.PhoneScreen(root, P, {
    go: (url) => go(url),
    image: (url) => "/preview/image?" + query({url}),
    pick: (i, open) => { selected = i; markSelected(); if (open) activate(); },
  });
  const markSelected = () => screen.mark(selected);
  let current = null; // {url, screen, history, idle, local}
  let stack = []; // the Back stack: screens to return to (URL screens are fetched again)
  let selected = 0;
  let pendingIdle = null; // a Priority 1 push waiting for the phone to become idle
  let refreshTimer = null;
  let generation = 0; // answers to superseded requests are dropped

  const query = (extra) => new URLSearchParams({device: P.device, model: P.model, ...extra}).toString();
  root.style.setProperty("--scale", String(Math.max(1, Math.floor(640 / P.width))));

  function note(text) {
    const p = document.createElement("p");
    p.textContent = text;
    $("phone-notes").prepend(p);
    while ($("phone-notes").children.length > 12) $("phone-notes").lastChild.remove();
  }

  // -- fetching and the Back stack -------------------------------------------------------------

  async function fetchScreen(url) {
    const mine = ++generation;
    root.dataset.state = "loading";
    clearTimeout(refreshTimer);
    const answer = await fetch("/preview/screen?" + query({url}), {headers: {Accept: "application/json"}});
    if (mine !== generation) return null;
    if (!answer.ok) {
      root.dataset.state = "ready";
      note(`The preview could not fetch ${url}: HTTP ${answer.status}.`);
      return null;
    }
    return answer.json();
  }

  async function open(url, how = "push") {
    const data = await fetchScreen(url);
    if (data) arrive(data, how);
  }

  function arrive(data, how) { // how: push (onto the Back stack), back, replace, idle, start
    if (data.screen.object === "Execute") { // run, do not show
      root.dataset.state = "ready";
      showDetails(data);
      data.screen.items.forEach((item) => execute(item, false));
      return;
    }
    if (how === "push" && current && current.history) stack.push(current);
    show({url: data.url, screen: data.screen, history: data.history, idle: how === "idle", data});
  }

  function back() {
    const previous = stack.pop();
    if (!previous) return exit();
    if (previous.local) return show(previous);
    open(previous.url, "back");
  }

  function exit() {
    stack = [];
    const url = pendingIdle || P.idle;
    pendingIdle = null;
    open(url, "idle");
  }

  function services() {
    if (current && current.history) stack.push(current);
    show({local: "services", history: true, screen: {
      object: "Menu", title: "Services", prompt: "", softkeys: [],
      items: P.services.map((s) => ({name: s.name, url: s.url})),
    }});
  }

  // -- URIs ---------------------------------------------------------------------------------------

  function go(url) {
    if (!url) return;
    if (/^https?:\/\//i.test(url) || url.startsWith("/")) return open(url);
    const colon = url.indexOf(":");
    const scheme = url.slice(0, colon).toLowerCase();
    const rest = url.slice(colon + 1);
    if (scheme === "softkey") return softkey(rest);
    if (scheme === "key") return key(rest);
    if (scheme === "dial") return dial(rest);
    if (scheme === "play") return play(rest);
    if (scheme === "querystringparam") return withParam(rest);
    if (scheme === "init" && rest === "Services") return services();
    if (scheme === "init") return note(`The phone opens ${rest === "CallHistory" ? "its call history" : rest}.`);
    if (scheme === "editdial") return note(`The phone opens the dial screen with ${rest}, to edit before dialling.`);
    note(`${url}: the phone runs this URI; the preview does not simulate it.`);
  }

  function withParam(param) { // Cisco: appended to the selected item's URL, which is then requested
    const item = (current.screen.items || [])[selected];
    if (item && item.url) open(item.url + (item.url.includes("?") ? "&" : "?") + param);
  }

  async function dial(number) {
    note(`Dial ${number}: the phone calls ${number} from its line.`);
    const answer = await fetch("/preview/dial?" + query({number}), {
      method: "POST", headers: {"X-CSRF-Token": root.dataset.csrf}});
    const result = await answer.json().catch(() => ({message: `HTTP ${answer.status}`}));
    note(result.message);
  }

  function play(file) {
    note(`♪ Tone ${decodeURIComponent(file)}: the phone plays it.`);
    try {
      const audio = new (window.AudioContext || window.webkitAudioContext)();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.3);
    } catch (e) { /* no sound here: the note says it */ }
  }

  function softkey(name) {
    const form = current.screen.object === "Input";
    if (name === "Select") return activate();
    if (name === "Back" || (name === "Cancel" && form)) return back();
    if (name === "Exit" || name === "Cancel") return exit();
    if (name === "Update") return current.local ? show(current) : open(current.url, "replace");
    if (name === "Submit") return submit();
    if (name === "<<") return backspace();
    if (name === "Dial" || name === "EditDial") {
      const entry = (current.screen.entries || [])[selected];
      return entry && go(`${name}:${entry.telephone}`);
    }
    note(`SoftKey:${name}: the phone's own function.`);
  }

  function key(name) {
    const digit = /^KeyPad(\d|Star|Pound)$/.exec(name);
    if (digit) return press({Star: "*", Pound: "#"}[digit[1]] || digit[1]);
    const soft = /^Soft(\d)$/.exec(name);
    if (soft) return pressSoftkey(Number(soft[1]));
    if (name === "NavUp" || name === "NavDwn") return move(name === "NavUp" ? -1 : 1);
    if (name === "NavSelect") return activate();
    if (name === "NavBack") return back();
    if (name === "Exit") return exit();
    if (name === "Services") return services();
    if (name === "NavLeft" || name === "NavRight") return;
    note(`Key:${name}: ${name.startsWith("Line") ? `the phone opens ${name.replace("Line", "line ")}.` : "pressed."}`);
  }

  // -- keys on the current screen -------------------------------------------------------------

  function move(step) {
    const kind = current.screen.object;
    if (kind === "Input") return focusField(selected + step);
    const count = (current.screen.items || current.screen.entries || []).length;
    if (count) {
      selected = Math.min(count - 1, Math.max(0, selected + step));
      markSelected();
    } else {
      area.scrollTop += step * 20;
    }
  }

  function activate() {
    const s = current.screen;
    if (s.object === "Input") return submit();
    if (s.object === "Directory") return softkey("Dial");
    const item = (s.items || [])[selected];
    if (item && s.object !== "GraphicFileMenu") go(item.url);
  }

  function press(digit) {
    const s = current.screen;
    if (s.object === "Input") return typeDigit(digit);
    const n = Number(digit);
    const items = s.object === "GraphicFileMenu" ? [] : s.items || s.entries || [];
    if (n >= 1 && n <= items.length) {
      selected = n - 1;
      markSelected();
      activate();
    }
  }

  function pressSoftkey(position) {
    const k = screen.softkeysOf(current.screen).find((x) => x.position === position);
    if (k) go(k.url);
  }

  // -- Input -------------------------------------------------------------------------------------

  const ALLOWED = {T: /[0-9*#]/, N: /[0-9]/, E: /[0-9*#.]/};

  function fieldInputs() { return Array.from(area.querySelectorAll("input")); }

  function focusField(i) {
    const inputs = fieldInputs();
    selected = Math.min(inputs.length - 1, Math.max(0, i));
    if (inputs[selected]) inputs[selected].focus();
    markSelected();
  }

  function typeDigit(digit) {
    const input = fieldInputs()[selected];
    if (!input) return;
    const allowed = ALLOWED[input.dataset.flags.replace(/[PUL]/g, "")[0]];
    if (allowed && !allowed.test(digit)) return;
    input.value += digit;
  }

  function backspace() {
    const input = fieldInputs()[selected];
    if (input) input.value = input.value.slice(0, -1);
  }

  function submit() {
    const s = current.screen;
    if (s.object !== "Input") return;
    const params = fieldInputs().map((input) => {
      let value = input.value;
      if (input.dataset.flags.includes("U")) value = value.toUpperCase();
      if (input.dataset.flags.includes("L")) value = value.toLowerCase();
      return encodeURIComponent(input.dataset.param) + "=" + encodeURIComponent(value);
    });
    go(s.url + (s.url.includes("?") ? "&" : "?") + params.join("&"));
  }

  function show(shown) {
    current = shown;
    selected = 0;
    root.dataset.object = shown.screen.object;
    screen.draw(shown.screen);
    if (shown.screen.object === "Input") focusField(0); else markSelected();
    showDetails(shown.data || null);
    if (!area.querySelector(".picture img")) root.dataset.state = "ready";
    const refresh = shown.data && shown.data.refresh;
    if (refresh && refresh.seconds > 0) {
      refreshTimer = setTimeout(() => open(refresh.url || shown.url, shown.idle ? "idle" : "replace"),
                                refresh.seconds * 1000);
    }
    $("phone-stack").replaceChildren(...stack.map((e) => {
      const li = document.createElement("li");
      li.textContent = e.local ? "Services" : e.url;
      return li;
    }));
  }

  function showDetails(data) {
    const s = data && data.screen;
    $("phone-why").hidden = !(s && s.why);
    $("phone-why").textContent = s && s.why ? `Why: ${s.why}` : "";
    if (!data) {
      ["phone-request", "phone-answer", "phone-xml", "phone-time"].forEach((id) => { $(id).textContent = ""; });
      return;
    }
    const lines = (headers) => Object.entries(headers || {}).map(([k, v]) => `${k}: ${v}`).join("\n");
    $("phone-request").textContent = data.request ? `${data.request.line}\n${lines(data.request.headers)}` : data.url;
    $("phone-answer").textContent = data.status ? `HTTP ${data.status}\n${lines(data.headers)}` : "";
    $("phone-time").textContent = data.ms !== undefined ? `(${data.ms} ms)` : "";
    $("phone-xml").textContent = data.xml || "";
  }

  // -- pushes: the virtual phone ---------------------------------------------------------------

  // The idle screen: the phones' Idle URL (this project's status display), however its host is written.
  const page = (url) => (url || "").replace(/^https?:\/\/[^/]*/i, "").toLowerCase();
  function isIdle() { return Boolean(current && (current.idle || page(current.url) === page(P.idle))); }

  function execute(item, pushed) {
    const url = item.url;
    if (!/^https?:/i.test(url)) return go(url); // Cisco: URIs run at once, whatever the Priority
    if (item.priority === 0 || (pushed && isIdle())) return open(url, isIdle() ? "idle" : "push");
    if (item.priority === 1) {
      pendingIdle = url;
      return note("A push waits until the phone is idle (Priority 1): press Exit.");
    }
    note("A push was dropped: the phone is not idle (Priority 2).");
  }

  function listen() {
    const events = new EventSource("/preview/stream?" + query({}));
    events.addEventListener("push", (e) => {
      const push = JSON.parse(e.data);
      if (push.screen.object !== "Execute") return;
      push.screen.items.forEach((item) => execute(item, true));
    });
    events.addEventListener("open", () => { root.dataset.push = "connected"; });
    events.addEventListener("signed_out", () => {
      events.close();
      root.dataset.push = "closed";
      note("Signed out: this preview gets no more pushes. Reload the page to sign in again.");
    });
    events.addEventListener("error", () => { root.dataset.push = "reconnecting"; });
  }

  $("phone-try").addEventListener("submit", async (e) => { // a pasted object, as this model shows it
    e.preventDefault();
    const answer = await fetch("/preview/try?" + query({}), {method: "POST", body: new FormData(e.target),
                                                             headers: {"X-CSRF-Token": root.dataset.csrf}});
    if (!answer.ok) return note(`The preview refused the XML: HTTP ${answer.status}.`);
    arrive(await answer.json(), "push");
  });

  // -- the phone's buttons -----------------------------------------------------------------------

  root.querySelectorAll("[data-key]").forEach((b) => b.addEventListener("click", () => key(b.dataset.key)));
  root.querySelectorAll("[data-digit]").forEach((b) => b.addEventListener("click", () => press(b.dataset.digit)));
  stack = [{local: "services", history: true, screen: {object: "Menu", title: "Services", prompt: "", softkeys: [],
                                                       items: P.services.map((s) => ({name: s.name, url: s.url}))}}];
  listen();
  if (page(P.start) === page(P.idle)) stack = [];
  open(P.start, stack.length ? "start" : "idle");
})();

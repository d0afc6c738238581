/* The phone preview: draws the screen the server describes (/preview/screen: the CiscoIPPhone object as
   the chosen model reads it), and does what the phone does with its keys, its Back stack, URIs (SoftKey:,
   Key:, Init:, Dial:, Play:, QueryStringParam:), Refresh headers and pushes (/preview/stream). */
(function () {
  "use strict";
  const root = document.getElementById("phone");
  if (!root) return;
  const P = JSON.parse(root.dataset.phone);
  const $ = (id) => document.getElementById(id);
  const area = $("phone-area");
  const ROLES = ["Select", "Back", "Exit", "Update", "Submit"];
  const FORM_ROLES = ["Submit", "<<", "Cancel", "Exit"];
  // The softkeys a phone shows when the object defines none (a service's own keys replace them all).
  const DEFAULT_KEYS = {
    Menu: ["Select", "Exit"], IconMenu: ["Select", "Exit"], IconFileMenu: ["Select", "Exit"],
    GraphicMenu: ["Select", "Exit"], Text: ["Exit"], Input: ["Submit", "<<", "Cancel"],
    Directory: ["Dial", "EditDial", "Exit"], Image: ["Exit"], ImageFile: ["Exit"], GraphicFileMenu: ["Exit"],
    Error: ["Exit"], Response: ["Exit"], Status: ["Exit"], StatusFile: ["Exit"],
  };
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
    const k = softkeysOf(current.screen).find((x) => x.position === position);
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

  // -- drawing -----------------------------------------------------------------------------------

  function softkeysOf(s) {
    if (s.softkeys && s.softkeys.length) return s.softkeys;
    const names = DEFAULT_KEYS[s.object] || ["Exit"];
    const order = s.object === "Input" ? FORM_ROLES : ROLES;
    const family = s.object === "Input" ? P.form_softkeys : P.softkeys;
    const placed = {};
    names.filter((n) => order.includes(n)).forEach((n) => { placed[family.indexOf(n) + 1] = n; });
    let free = 1;
    names.filter((n) => !order.includes(n)).forEach((n) => {
      while (placed[free]) free++;
      placed[free] = n;
    });
    return Object.entries(placed).map(([p, n]) => ({name: n, url: `SoftKey:${n}`, position: Number(p)}));
  }

  function el(tag, props = {}, text) {
    const e = Object.assign(document.createElement(tag), props);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function picture(s) {
    const layer = el("div", {className: "picture"});
    if (s.image) {
      const img = el("img", {src: "/preview/image?" + query({url: s.image}), alt: s.title || "Picture"});
      img.addEventListener("load", () => place(img, s), {once: true});
      img.addEventListener("error", () => { root.dataset.state = "ready"; }, {once: true});
      root.dataset.state = "loading";
      layer.append(img);
    } else if (s.data) {
      const canvas = el("canvas", {width: s.width || 0, height: s.height || 0});
      drawPacked(canvas, s);
      place(canvas, s);
      layer.append(canvas);
    }
    return layer;
  }

  function place(node, s) { // LocationX/Y; -1 (or none) centres the picture
    const w = node.naturalWidth || node.width, h = node.naturalHeight || node.height;
    node.style.left = `${s.x >= 0 && s.x !== null ? s.x : Math.max(0, Math.round((P.width - w) / 2))}px`;
    node.style.top = `${s.y >= 0 && s.y !== null ? s.y : Math.max(0, Math.round((P.height - h) / 2))}px`;
    if (node.tagName === "IMG") root.dataset.state = "ready";
  }

  function drawPacked(canvas, s) { // CiscoIPPhoneImage Data: 2 bits a pixel, 4 pixels a byte, low bits first
    const ctx = canvas.getContext("2d");
    const img = ctx.createImageData(canvas.width, canvas.height);
    for (let i = 0; i < canvas.width * canvas.height; i++) {
      const byte = parseInt(s.data.substr((i >> 2) * 2, 2), 16) || 0;
      const grey = 255 - ((byte >> ((i & 3) * 2)) & 3) * 85;
      img.data.set([grey, grey, grey, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }

  function draw(s) {
    area.replaceChildren();
    area.scrollTop = 0;
    area.dataset.object = s.object;
    $("phone-title").textContent = s.title || "";
    $("phone-prompt").textContent = s.prompt || "";
    if (s.object === "Error") {
      area.append(el("p", {className: "phone-error"}, `${s.title} ${s.text}`.trim()));
      $("phone-title").textContent = "";
    } else if (s.object === "Text") {
      area.append(el("div", {className: "text"}, s.text));
    } else if (s.object === "Input") {
      s.fields.forEach((f, i) => {
        const row = el("label", {className: "field-row"});
        row.append(el("span", {}, f.label));
        const input = el("input", {value: f.default, type: f.flags.includes("P") ? "password" : "text"});
        input.dataset.param = f.param;
        input.dataset.flags = f.flags;
        input.addEventListener("focus", () => { selected = i; markSelected(); });
        row.append(input);
        area.append(row);
      });
    } else if (s.object === "Directory") {
      const list = el("ol", {className: "menu"});
      s.entries.forEach((e) => {
        const li = el("li", {}, e.name);
        li.append(el("span", {className: "tel"}, e.telephone));
        list.append(li);
      });
      area.append(list);
    } else if (s.items && s.object !== "GraphicFileMenu") {
      if (s.object === "GraphicMenu") area.append(picture(s));
      const list = el("ol", {className: "menu", role: "listbox", ariaLabel: s.title || "Menu"});
      s.items.forEach((item, i) => {
        const li = el("li", {role: "option"});
        if (s.icons && item.icon !== undefined && s.icons[item.icon]) {
          li.append(el("img", {className: "icon", alt: "", src: "/preview/image?" + query({url: s.icons[item.icon]})}));
        }
        li.append(el("span", {className: "n"}, `${i + 1}`), el("span", {}, item.name));
        li.addEventListener("click", () => { selected = i; markSelected(); if (P.touch) activate(); });
        list.append(li);
      });
      area.append(list);
    } else if (s.object === "Response") {
      s.items.forEach((r) => area.append(el("p", {}, `Status ${r.status} ${r.data} ${r.url}`.trim())));
    } else {
      area.append(picture(s));
      if (s.text) area.append(el("p", {className: "status-text"}, s.text));
    }
    if (s.object === "GraphicFileMenu") drawTouchAreas(s);
    drawSoftkeys(s);
    if (s.object === "Input") focusField(0); else markSelected();
  }

  function drawTouchAreas(s) { // Cisco: chosen by touch only (first match wins), clipped to the display
    const layer = area.querySelector(".picture");
    s.items.forEach((item) => {
      if (!item.touch) return;
      const [x1, y1, x2, y2] = item.touch;
      const button = el("button", {type: "button", className: "touch-area", title: item.name, disabled: !P.touch});
      button.setAttribute("aria-label", item.name);
      Object.assign(button.style, {left: `${x1}px`, top: `${y1}px`, width: `${Math.min(x2, P.width - 1) - x1 + 1}px`,
                                   height: `${Math.min(y2, P.height - 1) - y1 + 1}px`});
      button.addEventListener("click", () => go(item.url));
      layer.append(button);
    });
  }

  function drawSoftkeys(s) {
    const bar = $("phone-softkeys");
    bar.replaceChildren();
    const keys = softkeysOf(s);
    const slots = Math.max(4, ...keys.map((k) => k.position));
    for (let p = 1; p <= slots; p++) {
      const k = keys.find((x) => x.position === p);
      if (!k) { bar.append(el("span", {className: "empty"})); continue; }
      const button = el("button", {type: "button"}, k.name);
      button.addEventListener("click", () => go(k.url));
      bar.append(button);
    }
  }

  function markSelected() {
    area.querySelectorAll("ol.menu > li, .field-row").forEach((li, i) => {
      li.classList.toggle("selected", i === selected);
      if (li.getAttribute("role") === "option") li.setAttribute("aria-selected", String(i === selected));
      if (i === selected && li.scrollIntoView) li.scrollIntoView({block: "nearest"});
    });
  }

  function show(screen) {
    current = screen;
    selected = 0;
    root.dataset.object = screen.screen.object;
    draw(screen.screen);
    if (screen.data) showDetails(screen.data); else showDetails(null);
    if (!area.querySelector(".picture img")) root.dataset.state = "ready";
    const refresh = screen.data && screen.data.refresh;
    if (refresh && refresh.seconds > 0) {
      refreshTimer = setTimeout(() => open(refresh.url || screen.url, screen.idle ? "idle" : "replace"),
                                refresh.seconds * 1000);
    }
    $("phone-stack").replaceChildren(...stack.map((e) => el("li", {}, e.local ? "Services" : e.url)));
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

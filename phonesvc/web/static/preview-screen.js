/* The phone preview's screen: draws one CiscoIPPhone object as /preview/screen describes it (title and prompt
   bars, the services area at the model's pixel size, softkeys in the family's positions) on the phone of
   preview.html. What keys do is preview.js's: it passes `hooks` {go(url), pick(i, open), image(url)}. */
window.PhoneScreen = function (root, P, hooks) {
  "use strict";
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
      const img = el("img", {src: hooks.image(s.image), alt: s.title || "Picture"});
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
        input.addEventListener("focus", () => hooks.pick(i, false));
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
        const icon = s.icons && item.icon !== undefined && s.icons[item.icon];
        if (icon && icon.url) li.append(el("img", {className: "icon", alt: "", src: hooks.image(icon.url)}));
        if (icon && icon.data) {
          const canvas = el("canvas", {className: "icon", width: icon.width || 0, height: icon.height || 0});
          drawPacked(canvas, icon);
          li.append(canvas);
        }
        li.append(el("span", {className: "n"}, `${i + 1}`), el("span", {}, item.name));
        li.addEventListener("click", () => hooks.pick(i, P.touch));  // a touch screen also opens it
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
      button.addEventListener("click", () => hooks.go(item.url));
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
      button.addEventListener("click", () => hooks.go(k.url));
      bar.append(button);
    }
  }

  function mark(selected) { // the chosen menu item or form field
    area.querySelectorAll("ol.menu > li, .field-row").forEach((li, i) => {
      li.classList.toggle("selected", i === selected);
      if (li.getAttribute("role") === "option") li.setAttribute("aria-selected", String(i === selected));
      if (i === selected && li.scrollIntoView) li.scrollIntoView({block: "nearest"});
    });
  }


  return {draw, mark, softkeysOf};
};

// fitcoach's web page: plain JavaScript, no dependencies, served by `fitcoach serve`.
// Every value from the server is put in the page as text (never as HTML).
"use strict";

const $ = (id) => document.getElementById(id);

// Who a referral sends the athlete to, by the screen's flag-code family (first match wins).
const PROFESSIONALS = [
  [/^(acog_|pregnancy|postpartum)/, "obstetric care provider"],
  [/^reds_/, "sports physician and a sports dietitian"],
  [/^injury/, "physiotherapist or sports physician"],
  [/^doping/, "physician"],
  [/./, "physician"],
];
const ACTIONS = {
  refer: "Stop: see a professional first",
  clearance_before_vigorous: "Medical clearance before vigorous exercise",
  modify: "Modify the training",
  monitor: "Monitor",
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

// --- talking to the server ------------------------------------------------------------------

function headers(extra = {}) {
  const token = sessionStorage.getItem("fitcoach-token");
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function request(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers(options.headers) });
  if (response.status === 401) {
    $("token-form").hidden = false;
    $("token").focus();
  }
  if (!response.ok) {
    let body = {};
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    const error = new Error(body.error || `${response.status} ${response.statusText}`);
    error.hint = body.hint;
    throw error;
  }
  return response;
}

// Server-sent events from a fetch response (EventSource cannot POST).
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length) onEvent(event, JSON.parse(data.join("\n")));
    }
  }
}

function showError(target, error) {
  target.replaceChildren(
    el("strong", {}, "Error: "), error.message,
    error.hint ? el("span", { class: "hint" }, ` — ${error.hint}`) : null,
  );
  target.classList.add("error");
}

// --- asking -----------------------------------------------------------------------------------

function list(id) {
  return $(id).value.split(",").map((s) => s.trim()).filter(Boolean);
}

function profile() {
  const p = {};
  const number = (id) => ($(id).value === "" ? null : Number($(id).value));
  if (number("p-age") !== null) p.age = number("p-age");
  if ($("p-sex").value) p.sex = $("p-sex").value;
  if ($("p-activity").value) p.activity_level = $("p-activity").value;
  if ($("p-pregnant").checked) p.pregnant = true;
  if (number("p-week") !== null) p.pregnancy_week = number("p-week");
  if ($("p-bp").value.trim()) p.resting_bp = $("p-bp").value.trim();
  for (const [key, id] of [["conditions", "p-conditions"], ["symptoms", "p-symptoms"],
    ["injuries", "p-injuries"]]) {
    const items = list(id);
    if (items.length) p[key] = items;
  }
  if (Object.keys(p).length === 0 && $("p-units").value === "kg") return null;
  p.units = $("p-units").value;
  return p;
}

function threadId() {
  if (!$("keep-thread").checked) return null;
  let id = sessionStorage.getItem("fitcoach-thread");
  if (!id) {
    const random = new Uint8Array(12);
    crypto.getRandomValues(random);
    id = "web-" + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
    sessionStorage.setItem("fitcoach-thread", id);
  }
  return id;
}

function professional(code) {
  return PROFESSIONALS.find(([pattern]) => pattern.test(code))[1];
}

function renderFlags(flags) {
  const box = $("flags");
  box.replaceChildren();
  const refer = flags.filter((f) => f.action === "refer");
  const others = flags.filter((f) => f.action !== "refer");
  if (refer.length) {
    const who = [...new Set(refer.map((f) => professional(f.code)))]
      .map((p) => (/^[aeiou]/.test(p) ? "an " : "a ") + p).join(", or ");
    box.append(el("div", { class: "banner refer", role: "alert", id: "referral" },
      el("h2", {}, `Stop — see ${who} before training`),
      el("ul", {}, ...refer.map((f) => el("li", {}, f.message,
        el("span", { class: "ref" }, ` (${f.reference})`)))),
      el("p", {}, "fitcoach gives no training plan while this applies.")));
    $("referral").scrollIntoView({ block: "nearest" });
  }
  if (others.length) {
    box.append(el("div", { class: "banner caution" },
      el("h2", {}, "Safety notes"),
      el("ul", {}, ...others.map((f) => el("li", {},
        el("strong", {}, `${ACTIONS[f.action] || f.action}: `), f.message)))));
  }
}

function openReference(n) {
  const item = $(`ref-${n}`);
  if (!item) return;
  item.open = true;
  item.scrollIntoView({ block: "nearest" });
  item.querySelector("summary").focus();
}

function renderText(text, known) {
  const p = el("p");
  let last = 0;
  for (const match of text.matchAll(/\[(\d+)\]/g)) {
    p.append(text.slice(last, match.index));
    const n = Number(match[1]);
    if (known.has(n)) {
      p.append(el("button", {
        type: "button", class: "cite", "aria-controls": `ref-${n}`,
        "aria-label": `Show reference ${n}`, onclick: () => openReference(n),
      }, `[${n}]`));
    } else {
      p.append(match[0]);
    }
    last = match.index + match[0].length;
  }
  p.append(text.slice(last));
  return p;
}

function renderReferences(citations) {
  const list = $("references");
  list.replaceChildren(...citations.map((c) => {
    const authors = c.authors.length > 3 ? `${c.authors.slice(0, 3).join(", ")} et al.` : c.authors.join(", ");
    const where = [c.page ? `page ${c.page}` : null, c.section].filter(Boolean).join(" · ");
    return el("li", { value: String(c.n) }, el("details", { id: `ref-${c.n}` },
      el("summary", {}, `[${c.n}] ${authors}${authors ? " " : ""}(${c.year || "n.d."}). ${c.title}`),
      el("blockquote", { class: "quote" }, c.quote),
      el("p", { class: "where" }, where || null, where && c.doi ? " · " : null,
        c.doi ? el("a", { href: `https://doi.org/${encodeURI(c.doi)}`, target: "_blank",
          rel: "noopener noreferrer" }, `doi:${c.doi}`) : null)));
  }));
  $("refs-box").hidden = citations.length === 0;
}

function renderTools(runs) {
  const box = $("tools");
  box.replaceChildren();
  if (!runs.length) return;
  const rows = runs.map((r) => el("tr", {},
    el("th", { scope: "row" }, r.tool),
    el("td", {}, r.output.summary || "",
      ...(r.output.warnings || []).map((w) => el("span", { class: "warning" }, ` Warning: ${w}`))),
    el("td", {}, r.rule),
    el("td", { class: "ref" }, r.reference)));
  box.append(el("table", { id: "tool-table" },
    el("caption", {}, "Tool results"),
    el("thead", {}, el("tr", {}, ...["Tool", "Result", "Rule", "Reference"].map(
      (h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, ...rows)));
}

function renderAnswer(answer) {
  renderFlags(answer.safety_flags);
  $("draft").hidden = true;
  const known = new Set(answer.citations.map((c) => c.n));
  const box = $("answer");
  box.replaceChildren(...answer.answer.split(/\n{2,}/).map((part) => renderText(part, known)));
  if (answer.abstained) {
    box.append(el("p", { class: "note" }, "No relevant evidence in the library for this question."));
  }
  renderTools(answer.tool_results);
  renderReferences(answer.citations);
  $("status").textContent = `Answered by ${answer.model}.`;
}

async function ask(event) {
  event.preventDefault();
  const button = $("ask-button");
  const status = $("status");
  status.classList.remove("error");
  const body = { question: $("question").value };
  const p = profile();
  if (p) body.profile = p;
  const thread = threadId();
  if (thread) body.thread_id = thread;
  for (const id of ["flags", "answer", "tools", "references"]) $(id).replaceChildren();
  $("refs-box").hidden = true;
  $("draft").textContent = "";
  $("draft").hidden = true;
  $("result").hidden = false;
  status.textContent = "Screening and searching…";
  button.disabled = true;
  try {
    const response = await request("/v1/ask/stream", {
      method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "application/json" },
    });
    await readEvents(response, (name, data) => {
      if (name === "flags") renderFlags(data);
      else if (name === "status") {
        status.textContent = data.state === "queued"
          ? `Waiting for a free slot (${data.waiting} waiting)…` : "Writing the answer…";
      } else if (name === "token") {
        $("draft").hidden = false;
        $("draft").textContent += data.text;
      } else if (name === "answer") renderAnswer(data);
      else if (name === "error") showError(status, data.error ? { message: data.error, hint: data.hint } : data);
    });
  } catch (error) {
    showError(status, error);
  } finally {
    button.disabled = false;
  }
}

// --- library --------------------------------------------------------------------------------

async function loadLibrary() {
  const body = $("documents").querySelector("tbody");
  try {
    const data = await (await request("/v1/library")).json();
    $("lib-count").textContent = `(${data.stats.documents} documents, ${data.stats.chunks} chunks)`;
    body.replaceChildren(...data.documents.map((d) => el("tr", {},
      el("td", {}, d.title, d.doi ? el("span", { class: "ref" }, ` doi:${d.doi}`) : null),
      el("td", {}, d.year ? String(d.year) : "—"),
      el("td", {}, String(d.n_chunks)),
      el("td", {}, el("code", {}, d.doc_id.slice(0, 12))),
      el("td", {}, el("button", { type: "button", class: "remove",
        "aria-label": `Remove ${d.title}`, onclick: () => remove(d) }, "Remove")))));
  } catch (error) {
    showError($("upload-status"), error);
  }
}

async function remove(doc) {
  if (!confirm(`Remove “${doc.title}” from the library?`)) return;
  try {
    await request(`/v1/library/${doc.doc_id}`, { method: "DELETE" });
    $("upload-status").textContent = `Removed “${doc.title}”.`;
  } catch (error) {
    showError($("upload-status"), error);
  }
  loadLibrary();
}

function uploadRow(name, status, details) {
  return el("tr", { "data-file": name }, el("td", {}, name),
    el("td", { class: `state ${status}` }, status), el("td", {}, details || ""));
}

async function upload(event) {
  event.preventDefault();
  const files = $("files").files;
  if (!files.length) return;
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  const table = $("uploads");
  const rows = table.querySelector("tbody");
  rows.replaceChildren(...Array.from(files, (f) => uploadRow(f.name, "waiting")));
  table.hidden = false;
  const status = $("upload-status");
  status.classList.remove("error");
  status.textContent = `Uploading ${files.length} file(s)…`;
  try {
    const response = await request("/v1/ingest?stream=true", { method: "POST", body: form });
    await readEvents(response, (name, data) => {
      if (name === "progress" && data.stage !== "start" && data.stage !== "done") {
        status.textContent = `Reading ${data.done} of ${data.total}: ${data.path || ""}`;
      } else if (name === "report") {
        rows.replaceChildren(...data.files.map((f) => uploadRow(f.path, f.status,
          [f.reason, f.message, f.hint ? `Fix: ${f.hint}` : null].filter(Boolean).join(" — "))));
        status.textContent = `${data.added} added, ${data.skipped} skipped, ${data.failed} failed.`;
      } else if (name === "error") showError(status, { message: data.error, hint: data.hint });
    });
  } catch (error) {
    showError(status, error);
  }
  $("upload-form").reset();
  loadLibrary();
}

// --- views ------------------------------------------------------------------------------------

function select(tab) {
  for (const other of document.querySelectorAll("[role=tab]")) {
    const active = other === tab;
    other.setAttribute("aria-selected", String(active));
    other.tabIndex = active ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !active;
  }
  if (tab.id === "tab-library") loadLibrary();
}

function setUp() {
  const tabs = Array.from(document.querySelectorAll("[role=tab]"));
  for (const tab of tabs) {
    tab.addEventListener("click", () => select(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      next.focus();
      select(next);
    });
  }
  $("ask-form").addEventListener("submit", ask);
  $("upload-form").addEventListener("submit", upload);
  $("question").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("ask-form").requestSubmit();
  });
  $("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem("fitcoach-token", $("token").value.trim());
    $("token-form").hidden = true;
    $("status").textContent = "Token saved for this tab; ask again.";
  });
}

document.addEventListener("DOMContentLoaded", setUp);

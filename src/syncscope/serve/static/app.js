// The configurator: one radio group per variable, refreshed from the local API on every change.
// No framework and no build step; every answer comes from /v1/* on this server.

const state = {
  vocabulary: null,   // GET /v1/model
  rules: new Map(),   // rule id -> rule (GET /v1/rules)
  config: {},         // variable -> canonical value (what the user fixed)
  edition: null,      // the edition picked (?edition=ID on every request); null: the server's default
  seq: 0,             // the latest refresh; older answers are dropped
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function withEdition(path) {
  if (!state.edition) return path;
  return `${path}${path.includes("?") ? "&" : "?"}edition=${encodeURIComponent(state.edition)}`;
}

async function api(path, body, { text = false } = {}) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  const reply = await fetch(withEdition(path), options);
  const data = text ? await reply.text() : await reply.json();
  return { status: reply.status, ok: reply.ok, data, headers: reply.headers };
}

function showError(message) {
  const box = $("error");
  box.textContent = message || "";
  box.hidden = !message;
}

function errorText(data) {
  if (!data || typeof data !== "object") return String(data);
  return data.error || JSON.stringify(data);
}

// ---------------------------------------------------------------- the vocabulary

function variable(name) {
  return state.vocabulary.variables.find((v) => v.name === name);
}

function key(value) {
  return String(value);
}

function labelOf(name, value) {
  const found = variable(name)?.values.find((v) => key(v.id) === key(value));
  return found ? found.label : key(value);
}

function describeChange(change) {
  const before = change.from === null ? "(unset)" : labelOf(change.variable, change.from);
  return `${variable(change.variable)?.label ?? change.variable}: ${before} → ${labelOf(change.variable, change.to)}`;
}

function ruleText(id) {
  const rule = state.rules.get(id);
  return rule ? rule : { id, message: id, source: { quote: "", quotes: [], section: "", document: "" } };
}

// Every quote of a source (a rule from the table quotes each row it encodes).
function quotesOf(source) {
  return source.quotes ?? (source.quote ? [source.quote] : []);
}

// ---------------------------------------------------------------- building the form once

function buildForm() {
  const groups = $("groups");
  for (const scope of state.vocabulary.scopes) {
    const group = el("fieldset", { class: "group", id: `scope-${scope.id}` },
      el("legend", { text: scope.label }));
    for (const name of scope.variables) group.append(buildVariable(variable(name)));
    groups.append(group);
  }
}

function buildVariable(v) {
  const box = el("fieldset", { class: "var", id: `var-${v.name}`, "data-variable": v.name });
  const legendId = `legend-${v.name}`;
  box.append(el("legend", { id: legendId, text: v.label }));
  box.append(el("span", { class: "description", text: v.description }));
  const options = [{ id: null, label: "Not set" }, ...v.values];
  options.forEach((spec, i) => {
    const id = `opt-${v.name}-${i}`;
    const tipId = `tip-${v.name}-${i}`;
    const input = el("input", {
      type: "radio",
      name: `v-${v.name}`,
      id,
      value: spec.id === null ? "" : key(spec.id),
    });
    if (spec.id === null) input.checked = true;
    input.addEventListener("change", () => pick(v.name, spec.id));
    const label = el("label", { for: id, text: spec.label });
    const row = el("div", {
      class: spec.id === null ? "opt unset" : "opt",
      "data-value": spec.id === null ? "" : key(spec.id),
    }, input, el("span", { class: "mark", "aria-hidden": "true" }), label);
    if (spec.id !== null) {
      row.append(el("span", { class: "tip", role: "tooltip", id: tipId }));
    }
    box.append(row);
  });
  return box;
}

function option(name, value) {
  return document.querySelector(`#var-${name} .opt[data-value="${CSS.escape(key(value))}"]`);
}

// ---------------------------------------------------------------- state and the address bar

function pick(name, value) {
  if (value === null) delete state.config[name];
  else state.config[name] = value;
  refresh();
}

function ordered(config) {
  const out = {};
  for (const v of state.vocabulary.variables) {
    if (v.name in config) out[v.name] = config[v.name];
  }
  return out;
}

function syncRadios() {
  for (const v of state.vocabulary.variables) {
    const value = v.name in state.config ? key(state.config[v.name]) : "";
    for (const input of document.querySelectorAll(`#var-${v.name} input[type=radio]`)) {
      input.checked = input.value === value;
    }
  }
}

function writeAddress() {
  const params = new URLSearchParams();
  if (state.edition) params.set("edition", state.edition);
  for (const [name, value] of Object.entries(ordered(state.config))) params.set(name, key(value));
  const query = params.toString();
  const address = `${location.pathname}${query ? "?" + query : ""}`;
  history.replaceState(null, "", address);
  $("share-link").href = address;
}

async function adopt(raw, origin) {
  // The server reads any spelling (labels, aliases, yes/no); keep its canonical values.
  const reply = await api("/v1/check", raw);
  if (!reply.ok) {
    showError(`${origin}: ${errorText(reply.data)}`);
    return false;
  }
  state.config = { ...reply.data.configuration };
  return true;
}

// ---------------------------------------------------------------- refreshing the answers

async function refresh() {
  const seq = ++state.seq;
  const started = performance.now();
  const config = ordered(state.config);
  syncRadios();
  writeAddress();
  clearFixes();
  const [check, count] = await Promise.all([api("/v1/check", config), api("/v1/count", config)]);
  // Domains exist only while some valid completion does; otherwise the verdict says why.
  const valid = count.ok && count.data.valid > 0;
  const domains = valid ? await api("/v1/domains", config) : null;
  if (seq !== state.seq) return;
  if (!check.ok) {
    showError(errorText(check.data));
  } else {
    showError("");
    renderDomains(domains);
    renderVerdict(check.data, count.data);
  }
  const elapsed = performance.now() - started;
  document.body.dataset.refreshed = String(seq);
  document.body.dataset.refreshMs = elapsed.toFixed(1);
}

function renderDomains(reply) {
  const removed = new Map();  // "name=value" -> rule ids
  const conflict = $("conflict");
  if (reply === null) {
    conflict.hidden = false;
    conflict.textContent = "No supported configuration has all of these settings:"
      + " change one of them, or use the nearest fix.";
  } else if (reply.ok) {
    conflict.hidden = true;
    for (const [name, domain] of Object.entries(reply.data.domains)) {
      for (const [value, rules] of Object.entries(domain.removed)) {
        removed.set(`${name}=${value}`, rules);
      }
    }
  } else {
    conflict.hidden = false;
    conflict.textContent = errorText(reply.data);
  }
  for (const v of state.vocabulary.variables) {
    for (const spec of v.values) {
      const row = option(v.name, spec.id);
      const rules = removed.get(`${v.name}=${key(spec.id)}`);
      const input = row.querySelector("input");
      const tip = row.querySelector(".tip");
      row.classList.toggle("removed", Boolean(rules));
      if (rules) {
        tip.replaceChildren(...reasonNodes(rules));
        input.setAttribute("aria-describedby", tip.id);
      } else {
        tip.replaceChildren();
        input.removeAttribute("aria-describedby");
      }
    }
  }
}

function reasonNodes(ids) {
  const nodes = [el("strong", { text: "Not possible with the other settings. " })];
  for (const id of ids) {
    const rule = ruleText(id);
    nodes.push(el("span", { text: `${rule.message} ` }));
    for (const quote of quotesOf(rule.source)) nodes.push(el("q", { text: quote }), " ");
    nodes.push(el("span", { class: "rule-id", text: `(${id}) ` }));
  }
  return nodes;
}

const VERDICT_WORDS = {
  supported: "Supported",
  discouraged: "Supported, but discouraged",
  untested: "Untested: might work, not supported",
  unsupported: "Unsupported",
};

function renderVerdict(result, counts) {
  const verdict = $("verdict");
  verdict.className = `verdict ${result.verdict}`;
  verdict.dataset.verdict = result.verdict;
  const partial = result.complete ? "" : " (the best any completion of these settings reaches)";
  verdict.textContent = `${VERDICT_WORDS[result.verdict] ?? result.verdict}${partial}`;
  const count = $("count");
  if (counts && typeof counts.valid === "number") {
    count.dataset.valid = String(counts.valid);
    const word = counts.valid === 1 ? "completion" : "completions";
    count.textContent = `${counts.valid.toLocaleString("en")} valid ${word}`
      + ` of ${counts.total.toLocaleString("en")} combinations with these settings.`;
  }
  const findings = $("findings");
  findings.replaceChildren(...result.findings.map((f) => el("li", { "data-rule": f.rule },
    el("strong", { text: `${f.level}: ` }), el("span", { text: f.message }), " ",
    el("span", { class: "rule-id", text: `(${f.rule})` }),
    el("blockquote", {}, ...quotesOf(f.source).flatMap((quote, i) =>
      i ? [el("br", {}), el("q", { text: quote })] : [el("q", { text: quote })]),
      el("span", { text: ` (${f.source.document}, ${f.source.section})` })))));
  const required = $("required");
  const fixedByRules = Object.entries(ordered(result.required || {}));
  required.hidden = fixedByRules.length === 0;
  required.textContent = fixedByRules.length
    ? "Every valid completion has: " + fixedByRules.map(([n, v]) => `${variable(n)?.label ?? n} = ${labelOf(n, v)}`).join("; ")
    : "";
  $("advice").replaceChildren(...(result.advice || []).map((a) => el("li", { text: a.message })));
}

// ---------------------------------------------------------------- nearest fixes

function clearFixes() {
  $("fixes").replaceChildren();
  $("nearest-summary").textContent = "";
}

async function nearest() {
  const reply = await api("/v1/nearest", { configuration: ordered(state.config), top: 10 });
  const summary = $("nearest-summary");
  const list = $("fixes");
  list.replaceChildren();
  if (!reply.ok) {
    summary.textContent = errorText(reply.data);
    return;
  }
  const result = reply.data;
  if (result.cost === null) {
    summary.textContent = "No valid configuration keeps these settings.";
    return;
  }
  // Candidates making the same changes differ only in settings left open: show each fix once.
  const seen = new Set();
  const fixes = result.candidates.filter((c) => {
    const id = JSON.stringify([c.verdict, c.changes]);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  if (fixes.length === 1 && fixes[0].changes.length === 0) {
    summary.textContent = "Already valid: nothing to change.";
    return;
  }
  const dearest = fixes[fixes.length - 1].cost;
  const costs = dearest === result.cost ? `cost ${result.cost}` : `cost ${result.cost}–${dearest}`;
  summary.textContent = `${fixes.length} ${fixes.length === 1 ? "fix" : "fixes"}, cheapest first (${costs}).`;
  fixes.forEach((candidate, i) => {
    const words = candidate.changes.map(describeChange).join("; ");
    const button = el("button", { type: "button", class: "apply", text: "Apply" });
    button.setAttribute("aria-label", `Apply fix ${i + 1}: ${words}`);
    button.addEventListener("click", () => {
      for (const change of candidate.changes) state.config[change.variable] = change.to;
      refresh();
    });
    list.append(el("li", { "data-rank": String(i + 1) },
      el("span", { text: `[${candidate.verdict}] ${words} (cost ${candidate.cost}) ` }), button));
  });
}

// ---------------------------------------------------------------- plans

async function plan() {
  const summary = $("plan-summary");
  const steps = $("plan-steps");
  const box = $("plan-mermaid-box");
  steps.replaceChildren();
  box.hidden = true;
  let start;
  try {
    start = JSON.parse($("plan-from").value);
  } catch (error) {
    summary.textContent = `The start is not JSON: ${error.message}`;
    return;
  }
  const body = { from: start, to: ordered(state.config) };
  const [reply, drawing] = await Promise.all([
    api("/v1/plan", body),
    api("/v1/plan?format=mermaid", body, { text: true }),
  ]);
  if (!reply.ok) {
    summary.textContent = errorText(reply.data);
    return;
  }
  const result = reply.data;
  if (!result.feasible) {
    summary.textContent = `No plan: ${result.reason}`;
  } else {
    const n = result.steps.length;
    summary.textContent = n === 0
      ? "The start already has these settings."
      : `${n} ${n === 1 ? "step" : "steps"}, change cost ${result.cost}; every step lands on a valid configuration.`;
  }
  result.steps.forEach((step) => {
    const tied = step.tied_by.length ? ` (together, because of ${step.tied_by.join(", ")})` : "";
    steps.append(el("li", {},
      el("span", { text: `${step.repair ? "Repair: " : ""}${step.changes.map(describeChange).join("; ")}${tied}` }),
      el("span", { class: "rule-id", text: ` → ${step.verdict}` })));
  });
  if (drawing.ok) {
    $("plan-mermaid").textContent = drawing.data;
    box.hidden = false;
  }
}

async function readFile(input) {
  const file = input.files?.[0];
  input.value = "";
  return file ? file.text() : null;
}

// ---------------------------------------------------------------- export and import

function exportJson() {
  const text = JSON.stringify(ordered(state.config), null, 2) + "\n";
  const link = el("a", {
    href: URL.createObjectURL(new Blob([text], { type: "application/json" })),
    download: "configuration.json",
  });
  document.body.append(link);
  link.click();
  link.remove();
}

async function importJson(input) {
  const text = await readFile(input);
  if (text === null) return;
  let raw;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    showError(`The file is not JSON: ${error.message}`);
    return;
  }
  if (await adopt(raw, "import")) refresh();
}

// ---------------------------------------------------------------- editions

async function loadEdition() {
  // The vocabulary and rules of the picked edition; the form is rebuilt for its variables.
  const [vocabulary, rules] = await Promise.all([api("/v1/model"), api("/v1/rules")]);
  if (!vocabulary.ok || !rules.ok) {
    showError(errorText(vocabulary.ok ? rules.data : vocabulary.data));
    return false;
  }
  state.vocabulary = vocabulary.data;
  state.rules = new Map(rules.data.map((rule) => [rule.id, rule]));
  $("model-title").textContent = state.vocabulary.title;
  $("groups").replaceChildren();
  buildForm();
  const picker = $("edition");
  const editions = state.vocabulary.editions || [];
  picker.replaceChildren(...editions.map((e) => el("option", {
    value: e.id,
    text: e.date ? `${e.id} (${e.date})` : e.id,
    title: e.title,
  })));
  picker.value = state.vocabulary.edition;
  $("edition-box").hidden = editions.length < 2;
  return true;
}

async function pickEdition(id) {
  const chosen = state.vocabulary.editions.find((e) => e.id === id);
  state.edition = chosen && !chosen.default ? id : null;
  const before = state.config;
  if (!(await loadEdition())) return;
  // Keep the settings the new edition can express; drop the rest.
  state.config = {};
  for (const [name, value] of Object.entries(before)) {
    if (variable(name)?.values.some((v) => key(v.id) === key(value))) state.config[name] = value;
  }
  await refresh();
}

// ---------------------------------------------------------------- start

async function start() {
  const params = new URLSearchParams(location.search);
  state.edition = params.get("edition") || null;
  params.delete("edition");
  if (!(await loadEdition())) {
    // An unknown edition in the address: say so (above) and answer under the default.
    const message = $("error").textContent;
    state.edition = null;
    if (!(await loadEdition())) return;
    showError(`the address: ${message}`);
  }
  const raw = {};
  for (const [name, value] of params) raw[name] = value;
  if (Object.keys(raw).length) await adopt(raw, "the address");
  $("edition").addEventListener("change", (event) => pickEdition(event.target.value));
  $("nearest-button").addEventListener("click", nearest);
  $("plan-button").addEventListener("click", plan);
  $("plan-file").addEventListener("change", async (event) => {
    const text = await readFile(event.target);
    if (text !== null) $("plan-from").value = text;
  });
  $("export-button").addEventListener("click", exportJson);
  $("import-file").addEventListener("change", (event) => importJson(event.target));
  $("clear-button").addEventListener("click", () => {
    state.config = {};
    refresh();
  });
  await refresh();
  document.body.dataset.ready = "true";
}

start().catch((error) => showError(`The page could not start: ${error.message}`));

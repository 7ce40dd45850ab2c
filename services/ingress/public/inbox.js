// The operators' inbox: the handoff queue, one conversation, reply / note / claim / resolve /
// hand back, live over server-sent events. Talks only to the ingress API of this origin.
const T = {
  en: { title: 'Handoff inbox', key: 'Operator key', name: 'Your name', signin: 'Sign in', filter: 'Show', open: 'Waiting', claimed: 'Claimed', resolved: 'Resolved', returned: 'Handed back', all: 'All', more: 'More', trace: 'Trace', summary: 'Summary and transcript', claim: 'Claim', resolve: 'Resolve', handback: 'Hand back to the agent', send: 'Send to customer', note: 'Internal note', lang: '中文', bad: 'That key was refused.', waiting: 'waiting', by: 'claimed by', customer: 'Customer', operator: 'Operator', system: 'steward', noteLabel: 'Note', memory: 'What the agent knows', customerLabel: 'Customer', unverified: 'not verified', orders: 'Orders', pending: "Waiting for the customer's yes", done: 'Done', none: 'none', traces: 'Traces of the conversation', reason: 'reason' },
  zh: { title: '人工客服收件箱', key: '客服密钥', name: '您的名字', signin: '登录', filter: '显示', open: '等待中', claimed: '已认领', resolved: '已解决', returned: '已交还', all: '全部', more: '更多', trace: '追踪', summary: '摘要与对话记录', claim: '认领', resolve: '解决', handback: '交还给智能客服', send: '发送给顾客', note: '内部备注', lang: 'English', bad: '密钥无效。', waiting: '等待', by: '认领人', customer: '顾客', operator: '客服', system: 'steward', noteLabel: '备注', memory: '智能客服已知信息', customerLabel: '顾客', unverified: '未验证', orders: '订单', pending: '等待顾客确认', done: '已完成', none: '无', traces: '对话的追踪', reason: '原因' },
};
let lang = navigator.language.startsWith('zh') ? 'zh' : 'en';
let key = sessionStorage.getItem('inbox.key') || '';
let name = sessionStorage.getItem('inbox.name') || '';
let current = null;
let cursor = null;
const $ = (id) => document.getElementById(id);
const t = (k) => T[lang][k] ?? k;

function translate() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
  $('lang').textContent = t('lang');
}

async function api(path, body) {
  const res = await fetch(path, {
    method: body ? 'POST' : 'GET',
    headers: { authorization: `Bearer ${key}`, 'x-operator': name, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = await res.json();
  if (!res.ok) throw new Error(json.error?.message ?? res.statusText);
  return json;
}

function item(h) {
  const li = document.createElement('li');
  li.dataset.id = h.queryId;
  li.className = current === h.queryId ? 'active' : '';
  const mins = Math.round((Date.now() - h.createdMs) / 60000);
  li.textContent = `${h.channel} · ${h.language} · ${t(h.state)} · ${mins} min${h.claimedBy ? ` · ${t('by')} ${h.claimedBy}` : ''} — ${h.summary.slice(0, 80)}`;
  li.addEventListener('click', () => open(h.queryId));
  return li;
}

async function loadList(append = false) {
  const state = $('state').value;
  const q = new URLSearchParams({ limit: '50', ...(state ? { state } : {}), ...(append && cursor ? { cursor } : {}) });
  const r = await api(`/v1/handoffs?${q}`);
  if (!append) $('list').replaceChildren();
  for (const h of r.handoffs) $('list').append(item(h));
  cursor = r.nextCursor;
  $('more').hidden = !cursor;
}

function lines(el, texts) {
  el.replaceChildren(...(texts.length ? texts : [t('none')]).map((s) => Object.assign(document.createElement('li'), { textContent: s })));
}

// The agent's working memory as the handoff carries it: who the customer is (verified), the
// orders it read, the writes it proposed and the customer has not confirmed, the writes done.
function showMemory(m, customerId) {
  const c = m.customer;
  $('m-customer').textContent = c ? [c.name, c.email, c.userId].filter(Boolean).join(' · ') : customerId || t('unverified');
  lines($('m-orders'), m.orders.map((o) => `${o.orderId}${o.status ? ` · ${o.status}` : ''}${o.items.length ? ` · ${o.items.map((i) => i.name || i.itemId).join(', ')}` : ''}`));
  lines($('m-pending'), m.pending.map((p) => `${p.tool} ${JSON.stringify(p.args)}`));
  lines($('m-done'), m.done);
}

// Traces need the operator key, which a plain link cannot send: fetch and show them here.
async function showTrace(queryId) {
  $('d-trace-view').textContent = JSON.stringify(await api(`/v1/traces/${encodeURIComponent(queryId)}`), null, 2);
  $('d-trace-view').hidden = false;
}

function traceLink(queryId, label) {
  const a = document.createElement('a');
  a.href = '#';
  a.dataset.queryId = queryId;
  a.textContent = label;
  a.addEventListener('click', (e) => {
    e.preventDefault();
    void showTrace(queryId).catch((err) => { $('d-error').textContent = err.message; });
  });
  return a;
}

async function open(id) {
  const switched = current !== id;
  current = id;
  const r = await api(`/v1/handoffs/${encodeURIComponent(id)}`);
  const h = r.handoff;
  $('detail').hidden = false;
  $('d-title').textContent = `${h.conversationId} (${t(h.state)})`;
  $('d-meta').textContent = `${h.channel} · ${r.context.language} · ${t('reason')}: ${r.context.reason}${h.claimedBy ? ` · ${t('by')} ${h.claimedBy}` : ''}`;
  $('d-trace').dataset.queryId = h.queryId;
  showMemory(r.context.memory, r.context.customerId);
  $('d-traces').replaceChildren(...r.context.traces.map((q) => {
    const li = document.createElement('li');
    li.append(traceLink(q.queryId, q.queryId), ` ${q.outcome ?? ''} — ${q.text}`);
    return li;
  }));
  if (switched) $('d-trace-view').hidden = true;
  $('d-summary').textContent = r.context.summary || h.summary;
  $('d-transcript').replaceChildren(...r.context.transcript.map((m) => Object.assign(document.createElement('li'), { textContent: `${m.role}: ${m.content ?? ''}` })));
  $('d-messages').replaceChildren(...r.messages.map((m) => {
    const li = document.createElement('li');
    li.className = m.from;
    const who = m.from === 'customer' ? t('customer') : m.from === 'note' ? `${t('noteLabel')} (${m.operator})` : m.from === 'system' ? t('system') : `${t('operator')} ${m.operator}`;
    li.textContent = `${who}: ${m.text}`;
    return li;
  }));
  const mine = h.state === 'claimed' && h.claimedBy === name;
  $('claim').disabled = h.state !== 'open';
  $('resolve').disabled = !mine;
  $('handback').disabled = !mine;
  $('reply').querySelector('[type=submit]').disabled = !mine;
  for (const li of $('list').children) li.className = li.dataset.id === id ? 'active' : '';
}

async function act(path, body = {}) {
  $('d-error').textContent = '';
  try {
    await api(`/v1/handoffs/${encodeURIComponent(current)}/${path}`, body);
    await open(current);
    await loadList();
  } catch (e) {
    $('d-error').textContent = e.message;
  }
}

function live() {
  const es = new EventSource(`/v1/handoffs/events?key=${encodeURIComponent(key)}`);
  const refresh = (ev) => {
    const d = JSON.parse(ev.data);
    void loadList();
    if (current && d.handoffId === current) void open(current);
  };
  for (const type of ['handoff.created', 'handoff.message', 'handoff.updated', 'handoff.sla_breached']) es.addEventListener(type, refresh);
}

async function start() {
  try {
    await loadList();
  } catch {
    $('login-error').textContent = t('bad');
    return;
  }
  sessionStorage.setItem('inbox.key', key);
  sessionStorage.setItem('inbox.name', name);
  $('login').hidden = true;
  $('app').hidden = false;
  live();
}

$('d-trace').addEventListener('click', (e) => {
  e.preventDefault();
  if ($('d-trace').dataset.queryId) void showTrace($('d-trace').dataset.queryId).catch((err) => { $('d-error').textContent = err.message; });
});
$('lang').addEventListener('click', () => { lang = lang === 'en' ? 'zh' : 'en'; translate(); if (current) void open(current); void loadList(); });
$('login').addEventListener('submit', (e) => { e.preventDefault(); key = $('key').value; name = $('name').value; void start(); });
$('state').addEventListener('change', () => void loadList());
$('more').addEventListener('click', () => void loadList(true));
$('claim').addEventListener('click', () => void act('claim'));
$('resolve').addEventListener('click', () => void act('resolve'));
$('handback').addEventListener('click', () => void act('hand-back'));
$('note').addEventListener('click', () => { const text = $('text').value.trim(); if (text) void act('notes', { text }).then(() => { $('text').value = ''; }); });
$('reply').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  // One id per reply: a retried click cannot send it twice.
  const replyId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  void act('messages', { text, replyId }).then(() => { $('text').value = ''; });
});
translate();
$('name').value = name;
if (key && name) void start();

// steward web chat: one page, no framework, no external resources. It posts to /v1/messages
// with the demo key from /chat/config and follows the query over server-sent events; a second
// stream follows the conversation itself, for what a person (after a handoff) says.
/* global document, window, fetch, EventSource, crypto */
'use strict';

const TEXT = {
  en: {
    subtitle: 'customer service demo',
    unverified: 'You chat as a new, unverified customer: to talk about an account, give its email (or name and zip code) in the chat.',
    language: 'Language',
    newConversation: 'New conversation',
    send: 'Send',
    trace: 'Trace',
    placeholder: 'Ask about an order, a return, an exchange…',
    thinking: 'Thinking…',
    modelCall: 'model call, turn',
    tool: 'tool',
    openTrace: 'open trace',
    demoOff: 'The web chat is only available when the ingress runs in demo mode.',
    failed: 'The message was not accepted',
    simNote: 'Answers come from sim-llm, an offline deterministic test model (a test double, not AI).',
    modelNote: 'Answers come from the model',
    person: 'Support agent',
    held: 'Passed on to the support agent.',
    claimed: 'A support agent has joined the conversation.',
    returned: 'You are back with the automated assistant.',
    resolved: 'The support agent has closed this conversation.',
  },
  zh: {
    subtitle: '客服演示',
    unverified: '您以未验证的新客户身份聊天：如需查询账户，请在对话中提供其邮箱（或姓名和邮编）。',
    language: '语言',
    newConversation: '新对话',
    send: '发送',
    trace: '追踪',
    placeholder: '询问订单、退货或换货…',
    thinking: '思考中…',
    modelCall: '模型调用，第',
    tool: '工具',
    openTrace: '查看追踪',
    demoOff: '网页聊天仅在演示模式下可用。',
    failed: '消息未被接受',
    simNote: '回答来自 sim-llm：一个离线、确定性的测试模型（测试替身，并非人工智能）。',
    modelNote: '回答来自模型',
    person: '人工客服',
    held: '已转给人工客服。',
    claimed: '人工客服已加入对话。',
    returned: '您已回到智能客服。',
    resolved: '人工客服已结束此对话。',
  },
};

const $ = (id) => document.getElementById(id);
const state = { key: '', lang: 'en', conversationId: '', examples: { en: [], zh: [] }, conversation: null, shown: new Set() };

function t(name) {
  return TEXT[state.lang][name];
}

function newConversationId() {
  const rnd = crypto.getRandomValues(new Uint32Array(2));
  return `web-${Date.now().toString(36)}-${rnd[0].toString(36)}${rnd[1].toString(36)}`;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  $('text').placeholder = t('placeholder');
  const box = $('examples');
  box.replaceChildren();
  for (const q of state.examples[state.lang] || []) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = q;
    b.addEventListener('click', () => {
      $('text').value = q;
      $('text').focus();
    });
    box.append(b);
  }
}

function bubble(kind, text) {
  const div = document.createElement('div');
  div.className = `msg ${kind}`;
  if (text !== undefined) div.textContent = text;
  $('log').append(div);
  div.scrollIntoView({ block: 'end' });
  return div;
}

function addStep(steps, text) {
  const li = document.createElement('li');
  li.textContent = text;
  steps.append(li);
}

function noteModel(model) {
  if (!model) return;
  $('model-note').textContent = String(model).startsWith('sim-llm') ? t('simNote') : `${t('modelNote')}: ${model}`;
}

async function showTrace(queryId) {
  const res = await fetch(`/v1/traces/${encodeURIComponent(queryId)}`, { headers: { authorization: `Bearer ${state.key}` } });
  const body = await res.json();
  $('trace').textContent = JSON.stringify(body, null, 2);
  $('trace-panel').hidden = false;
  $('trace-panel').open = true;
}

// A message sent while a person owns the conversation: the agent does not answer it, the person
// sees it in their inbox and answers on the conversation's stream.
function held(div, body) {
  if (div.dataset.state === 'done') return;
  div.dataset.state = 'done';
  div.classList.add('held');
  body.textContent = t('held');
  $('send').disabled = false;
}

function finish(div, body, data) {
  if (data.outcome === 'handoff' && !data.answer) return held(div, body);
  if (div.dataset.state === 'done') return;
  div.dataset.state = 'done';
  body.textContent = data.answer || '';
  const meta = document.createElement('div');
  meta.className = 'meta';
  const link = document.createElement('a');
  link.href = `/v1/traces/${encodeURIComponent(div.dataset.queryId)}`;
  link.className = 'trace-link';
  link.textContent = t('openTrace');
  link.addEventListener('click', (e) => {
    e.preventDefault();
    void showTrace(div.dataset.queryId);
  });
  meta.append(`${data.outcome || ''} · `, link);
  div.append(meta);
  $('send').disabled = false;
}

// When the event stream breaks before the answer, fall back to polling the query.
async function poll(div, body, queryId) {
  while (div.dataset.state !== 'done') {
    const res = await fetch(`/v1/queries/${encodeURIComponent(queryId)}`, { headers: { authorization: `Bearer ${state.key}` } });
    const q = await res.json();
    if (q.status === 'completed' || q.status === 'failed') return finish(div, body, q);
    await new Promise((r) => window.setTimeout(r, 500));
  }
}

function follow(div, queryId) {
  div.dataset.queryId = queryId;
  const steps = document.createElement('ul');
  steps.className = 'steps';
  const body = document.createElement('div');
  body.className = 'answer';
  body.textContent = t('thinking');
  div.append(steps, body);
  const es = new EventSource(`/v1/queries/${encodeURIComponent(queryId)}/events?key=${encodeURIComponent(state.key)}`);
  es.addEventListener('llm.call', (e) => {
    const d = JSON.parse(e.data);
    addStep(steps, `${t('modelCall')} ${Number(d.turn) + 1}`);
    noteModel(d.model);
  });
  es.addEventListener('tool.call', (e) => {
    const d = JSON.parse(e.data);
    addStep(steps, `${t('tool')}: ${d.tool} ${d.ok ? '✓' : '✗'}`);
  });
  // The answer as the model writes it. Each LLM attempt streams under its own id: follow the
  // newest one, drop what an older one showed, and skip a stream joined half-way (the committed
  // answer comes with query.completed and replaces the draft in any case).
  const draft = { streamId: '', startedMs: 0, text: '' };
  es.addEventListener('answer.delta', (e) => {
    if (div.dataset.state === 'done') return;
    const d = JSON.parse(e.data);
    if (d.streamId !== draft.streamId) {
      if (d.startedMs < draft.startedMs) return;
      Object.assign(draft, { streamId: d.streamId, startedMs: d.startedMs, text: '' });
    }
    if (d.offset !== draft.text.length) return;
    draft.text += d.text;
    body.textContent = draft.text;
    div.dataset.state = 'streaming';
  });
  es.addEventListener('answer.reset', (e) => {
    if (div.dataset.state === 'done') return;
    const d = JSON.parse(e.data);
    if (d.streamId !== draft.streamId) return;
    draft.text = '';
    body.textContent = t('thinking');
    div.dataset.state = 'thinking';
  });
  es.addEventListener('query.completed', (e) => {
    es.close();
    finish(div, body, JSON.parse(e.data));
  });
  es.addEventListener('handoff.message', () => {
    es.close();
    held(div, body);
  });
  es.addEventListener('error', () => {
    if (div.dataset.state === 'done') return;
    es.close();
    void poll(div, body, queryId);
  });
}

// What a person says in this conversation (and steward's "a person is coming" notice), live.
// Each message has its own id: shown once, however often the stream replays it after a reconnect.
function followConversation() {
  if (state.conversation) return;
  const es = new EventSource(`/v1/conversations/${encodeURIComponent(state.conversationId)}/events?key=${encodeURIComponent(state.key)}`);
  state.conversation = es;
  const said = (kind) => (e) => {
    const d = JSON.parse(e.data);
    if (state.shown.has(d.id)) return;
    state.shown.add(d.id);
    const div = bubble(kind);
    div.dataset.id = d.id;
    const who = document.createElement('div');
    who.className = 'who';
    who.textContent = t('person');
    const body = document.createElement('div');
    body.className = 'answer';
    body.textContent = d.text;
    div.append(...(kind === 'operator' ? [who] : []), body);
  };
  es.addEventListener('handoff.reply', said('operator'));
  es.addEventListener('handoff.notice', said('notice'));
  // The browser reconnects by itself when the server ends the stream; a refused one (the server
  // at its stream cap) is retried here, and the replay de-duplicates by id.
  es.addEventListener('error', () => {
    if (es.readyState !== EventSource.CLOSED || state.conversation !== es) return;
    state.conversation = null;
    const conversationId = state.conversationId;
    window.setTimeout(() => {
      if (state.conversationId === conversationId) followConversation();
    }, 5000);
  });
  es.addEventListener('handoff.state', (e) => {
    const d = JSON.parse(e.data);
    if (d.state === 'claimed' || d.state === 'returned' || d.state === 'resolved') bubble('status', t(d.state)).dataset.state = d.state;
  });
}

function closeConversation() {
  if (state.conversation) state.conversation.close();
  state.conversation = null;
  state.shown = new Set();
}

async function ask(text) {
  bubble('user', text);
  const div = bubble('assistant');
  $('send').disabled = true;
  const res = await fetch('/v1/messages', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${state.key}` },
    body: JSON.stringify({
      // No customerId: the web chat's key is public, so identity is verified in the conversation.
      conversationId: state.conversationId,
      text,
      channel: 'web',
      locale: state.lang === 'zh' ? 'zh-CN' : 'en-US',
    }),
  });
  const body = await res.json();
  if (res.status !== 202) {
    div.classList.add('error');
    div.dataset.state = 'done';
    div.textContent = `${t('failed')}: ${body.error ? body.error.message : res.status}`;
    $('send').disabled = false;
    return;
  }
  // The conversation exists once its first message is accepted: follow it from then on.
  followConversation();
  follow(div, body.queryId);
}

async function init() {
  state.conversationId = newConversationId();
  const res = await fetch('/chat/config');
  if (!res.ok) {
    $('notice').textContent = t('demoOff');
    $('notice').hidden = false;
    $('send').disabled = true;
    applyLanguage();
    return;
  }
  const cfg = await res.json();
  state.key = cfg.key;
  state.examples = cfg.examples || state.examples;
  $('language').addEventListener('change', () => {
    state.lang = $('language').value;
    applyLanguage();
  });
  $('new-conversation').addEventListener('click', () => {
    closeConversation();
    state.conversationId = newConversationId();
    $('log').replaceChildren();
  });
  $('ask').addEventListener('submit', (e) => {
    e.preventDefault();
    const text = $('text').value.trim();
    if (!text) return;
    $('text').value = '';
    void ask(text);
  });
  $('text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('ask').requestSubmit();
    }
  });
  applyLanguage();
  document.body.dataset.ready = 'true';
}

void init();

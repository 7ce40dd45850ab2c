// gen_ai.provider.name (OpenTelemetry GenAI conventions) for a model and endpoint.

export function providerOf(model: string, baseURL = ''): string {
  const url = baseURL.toLowerCase();
  const m = model.toLowerCase();
  if (m.startsWith('sim-llm')) return 'steward.sim_llm';
  if (url.includes('deepseek') || m.startsWith('deepseek')) return 'deepseek';
  if (url.includes('anthropic') || m.startsWith('claude')) return 'anthropic';
  if (url.includes('generativelanguage') || m.startsWith('gemini')) return 'gcp.gemini';
  if (url.includes('openai.azure')) return 'azure.ai.openai';
  if (url.includes('api.openai.com') || /^(gpt-|o\d|chatgpt)/.test(m)) return 'openai';
  return 'openai_compatible';
}

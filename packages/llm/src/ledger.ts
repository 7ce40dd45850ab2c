// @steward/llm/ledger: the cost ledger and the price table without the LLM client. A separate
// entry so that the controller, which meters budgets but never calls a model, does not load
// the OpenAI SDK (~7.5 MB resident).
export { BUDGET_DEFAULTS } from './constants.ts';
export { DEFAULT_PRICING, ModelPrice, PricingTable, priceFor, costOf, loadPricing, activePricing, setActivePricing, type TokenUsage } from './pricing.ts';
export {
  recordCost,
  recordCostAndCheck,
  readCost,
  checkBudget,
  costKeys,
  utcDay,
  COST_RECORD_LUA,
  costRecordArgs,
  costRecordedOf,
  budgetAfter,
  type CostRecorded,
  type CostReply,
  BudgetLimits,
  budgetLimitsFromEnv,
  type BudgetCheck,
  type CostRecord,
  type CostTotals,
  type LedgerTtls,
} from './cost-ledger.ts';

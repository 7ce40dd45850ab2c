// The simulated customer of `--model scripted`: opens with the task's instruction turned into
// the first person, answers "yes" when the agent lists an action and asks for a yes, and ends
// the conversation on any other answer. Like the model double, it reads only what it is shown.

/** τ-bench instructions speak to the customer ("Your name is…"): the customer says it of itself. */
export function firstPerson(instruction: string): string {
  return instruction
    .replace(/\bYou are\b/g, 'I am')
    .replace(/\byou are\b/g, 'I am')
    .replace(/\bYour\b/g, 'My')
    .replace(/\byour\b/g, 'my')
    .replace(/\bYou\b/g, 'I')
    .replace(/\byou\b/g, 'me')
    .trim();
}

export function openingMessage(instruction: string): string {
  return `Hi! ${firstPerson(instruction)}`;
}

/** The agent listed an action and asked for the customer's go-ahead. */
export function asksForConfirmation(answer: string): boolean {
  return /\?/.test(answer) && /\b(proceed|confirm|go ahead)\b|\(yes\/no\)/i.test(answer);
}

export const CUSTOMER_YES = 'yes';

/** The scripted customer's next message, or null when the conversation is over. */
export function scriptedReply(answer: string | null): string | null {
  return answer !== null && asksForConfirmation(answer) ? CUSTOMER_YES : null;
}

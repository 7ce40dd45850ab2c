import { describe, expect, it } from 'vitest';
import { CONFIRM_QUESTION } from './script-plan.ts';
import { firstPerson, scriptedReply } from './scripted-customer.ts';

describe('scripted customer', () => {
  it('tells the instruction in the first person', () => {
    expect(firstPerson('Your name is Omar Anderson and your zip code is 19031. You are polite.')).toBe(
      'My name is Omar Anderson and my zip code is 19031. I am polite.',
    );
  });

  it('says yes only to a listed action with a question, and otherwise ends', () => {
    expect(scriptedReply(`To confirm, I will cancel order #W1. ${CONFIRM_QUESTION}`)).toBe('yes');
    expect(scriptedReply('It is done. Thank you for contacting us.')).toBeNull();
    expect(scriptedReply('What else can I do for you?')).toBeNull();
    expect(scriptedReply(null)).toBeNull();
  });
});

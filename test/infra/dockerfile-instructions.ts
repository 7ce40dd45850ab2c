// A small reader of Dockerfile instructions: joins continuation lines, drops comments and
// parser directives, and groups instructions by build stage.
export interface Instruction {
  keyword: string;
  args: string;
}
export interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): { globalArgs: Instruction[]; stages: Stage[] } {
  const logical: string[] = [];
  let current = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (current === '' && line.trimStart().startsWith('#')) continue;
    if (line.endsWith('\\')) {
      current += line.slice(0, -1) + ' ';
      continue;
    }
    current += line;
    if (current.trim() !== '') logical.push(current.trim());
    current = '';
  }
  const globalArgs: Instruction[] = [];
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/s.exec(l);
    if (m === null) continue;
    const ins = { keyword: (m[1] ?? '').toUpperCase(), args: (m[2] ?? '').replace(/\s+/g, ' ').trim() };
    if (ins.keyword === 'FROM') {
      const [from = '', as, name] = ins.args.split(' ');
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      globalArgs.push(ins);
    } else {
      stages[stages.length - 1]?.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

// LangGraph's SQLite checkpointer (SqliteSaver) on Node's built-in SQLite (node:sqlite) instead
// of better-sqlite3: better-sqlite3 12 aborts Node 24 processes when the GC finalizes one of its
// statements (a known bug: "Assertion failed: (env) != nullptr" in Statement::~Statement), which
// SqliteSaver's per-call statements hit within seconds under this load — and it needs a native
// build. The saver's code and its SQL are unchanged; this adapter gives it the few methods it
// calls (prepare → get/all/run, exec, pragma, transaction), with the same SQLite semantics.
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';

const bindable = (args: unknown[]): SQLInputValue[] => args.map((a) => (a === undefined ? null : (a as SQLInputValue)));

export class NodeSqliteDb {
  private readonly db: DatabaseSync;

  constructor(path: string) {
    this.db = new DatabaseSync(path);
  }

  prepare(sql: string) {
    const s = this.db.prepare(sql);
    return {
      get: (...args: unknown[]) => s.get(...bindable(args)),
      all: (...args: unknown[]) => s.all(...bindable(args)),
      run: (...args: unknown[]) => s.run(...bindable(args)),
    };
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  pragma(p: string): void {
    this.db.exec(`PRAGMA ${p}`);
  }

  /** better-sqlite3's transaction(): a function that runs `fn` in BEGIN … COMMIT (ROLLBACK on a throw). */
  transaction<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      this.db.exec('BEGIN');
      try {
        fn(...args);
        this.db.exec('COMMIT');
      } catch (e) {
        this.db.exec('ROLLBACK');
        throw e;
      }
    };
  }

  close(): void {
    this.db.close();
  }
}

/*
 * A small, bracket-aware reader of declarative Jenkinsfiles: enough to check the structure
 * (pipeline { agent, environment, stages { stage(...) { steps } }, post }) and to extract the
 * `sh '''...'''` steps with the environment they run in. Comments and Groovy string literals
 * ('...', "...", '''...''', """...""") are skipped while matching braces, so a brace inside a
 * shell script never closes a block.
 */

export interface GroovyBlock {
  readonly kind: "block";
  /** What precedes `{`: `pipeline`, `stage('Build')`, `withEnv(['A=1'])`. */
  readonly head: string;
  readonly children: GroovyNode[];
  readonly line: number;
}
export interface GroovyStatement {
  readonly kind: "statement";
  readonly text: string;
  readonly line: number;
}
export type GroovyNode = GroovyBlock | GroovyStatement;

/** Decodes a Groovy string literal (the four quote styles); `$` interpolation of "..." is kept as text. Invalid escapes throw, as groovyc does. */
export function groovyString(literal: string): string {
  const m = /^('''|"""|'|")([\s\S]*)\1$/.exec(literal);
  if (!m) throw new Error(`not a Groovy string literal: ${literal.slice(0, 40)}`);
  const escapes: Record<string, string> = { n: "\n", t: "\t", r: "\r", b: "\b", f: "\f", "\\": "\\", "'": "'", '"': '"', $: "$", "\n": "" };
  return m[2].replace(/\\([\s\S])/g, (_, c: string) => {
    if (!(c in escapes)) throw new Error(`invalid Groovy escape \\${c}`);
    return escapes[c];
  });
}

/** Index just after the string literal or comment that starts at `i`, or `i` when none starts there. */
function skip(text: string, i: number): number {
  for (const q of ["'''", '"""']) {
    if (text.startsWith(q, i)) {
      let j = i + 3;
      while (j < text.length && !text.startsWith(q, j)) j += text[j] === "\\" ? 2 : 1;
      if (j >= text.length) throw new Error(`unterminated ${q} string at offset ${i}`);
      return j + 3;
    }
  }
  const c = text[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < text.length && text[j] !== c) {
      if (text[j] === "\n") throw new Error(`unterminated ${c} string at offset ${i}`);
      j += text[j] === "\\" ? 2 : 1;
    }
    return j + 1;
  }
  if (text.startsWith("//", i)) {
    const end = text.indexOf("\n", i);
    return end < 0 ? text.length : end;
  }
  if (text.startsWith("/*", i)) {
    const end = text.indexOf("*/", i + 2);
    if (end < 0) throw new Error(`unterminated comment at offset ${i}`);
    return end + 2;
  }
  return i;
}

/** Parses the whole file into blocks and statements; unbalanced brackets throw with their line. */
export function parseGroovy(text: string): GroovyNode[] {
  const lineAt = (i: number) => text.slice(0, i).split("\n").length;
  const root: GroovyNode[] = [];
  const stack: Array<{ children: GroovyNode[]; open: number }> = [{ children: root, open: -1 }];
  let start = 0;
  let depth = 0; // ( and [ nesting inside the current statement
  const flush = (end: number) => {
    const raw = text.slice(start, end);
    const stripped = stripComments(raw).trim();
    if (stripped) stack[stack.length - 1].children.push({ kind: "statement", text: stripped, line: lineAt(start + raw.search(/\S/)) });
  };
  let i = 0;
  while (i < text.length) {
    const after = skip(text, i);
    if (after !== i) {
      i = after;
      continue;
    }
    const c = text[i];
    if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") {
      if (--depth < 0) throw new Error(`unbalanced ${c} at line ${lineAt(i)}`);
    } else if (c === "{" && depth === 0) {
      const head = stripComments(text.slice(start, i)).trim();
      const block: GroovyBlock = { kind: "block", head, children: [], line: lineAt(i) };
      stack[stack.length - 1].children.push(block);
      stack.push({ children: block.children, open: i });
      start = i + 1;
    } else if (c === "}" && depth === 0) {
      if (stack.length === 1) throw new Error(`unbalanced } at line ${lineAt(i)}`);
      flush(i);
      stack.pop();
      start = i + 1;
    } else if (c === "\n" && depth === 0) {
      flush(i);
      start = i + 1;
    }
    i++;
  }
  if (depth !== 0) throw new Error("unbalanced ( or [ at the end of the file");
  if (stack.length !== 1) throw new Error(`unclosed { opened at line ${lineAt(stack[stack.length - 1].open)}`);
  flush(text.length);
  return root;
}

function stripComments(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const after = skip(text, i);
    if (after !== i) {
      if (!text.startsWith("//", i) && !text.startsWith("/*", i)) out += text.slice(i, after);
      i = after;
    } else out += text[i++];
  }
  return out;
}

export interface ShStep {
  readonly stage: string;
  /** The script, decoded from its Groovy literal. */
  readonly script: string;
  /** `withEnv([...])` entries around the step. */
  readonly env: Record<string, string>;
  readonly line: number;
}

export interface DeclarativePipeline {
  readonly sections: string[];
  readonly agent: string;
  /** environment { NAME = value }: values as written (Groovy literals decoded). */
  readonly environment: Record<string, string>;
  readonly stages: Array<{ name: string; sections: string[] }>;
  readonly steps: ShStep[];
  readonly post: string[];
}

const block = (nodes: GroovyNode[], head: string) => nodes.find((n): n is GroovyBlock => n.kind === "block" && n.head === head);

/** Reads a declarative pipeline; throws when a required section is missing or misplaced. */
export function declarativePipeline(text: string): DeclarativePipeline {
  const root = parseGroovy(text);
  const top = root.filter((n) => n.kind === "block");
  if (top.length !== 1 || (top[0] as GroovyBlock).head !== "pipeline") throw new Error("the file must hold exactly one pipeline { } block");
  const pipeline = top[0] as GroovyBlock;
  const sections = pipeline.children.map((n) => (n.kind === "block" ? n.head : n.text.split(/\s/)[0]));
  const agentNode = pipeline.children.find((n) => (n.kind === "block" ? n.head === "agent" : n.text.startsWith("agent ")));
  if (!agentNode) throw new Error("pipeline has no agent");
  const stagesBlock = block(pipeline.children, "stages");
  if (!stagesBlock) throw new Error("pipeline has no stages");
  const environment: Record<string, string> = {};
  for (const n of block(pipeline.children, "environment")?.children ?? []) {
    if (n.kind !== "statement") throw new Error(`environment holds a block at line ${n.line}`);
    const m = /^([A-Za-z_]\w*)\s*=\s*(.+)$/.exec(n.text);
    if (!m) throw new Error(`environment line ${n.line} is not NAME = value: ${n.text}`);
    environment[m[1]] = groovyString(m[2]);
  }
  const stages: DeclarativePipeline["stages"] = [];
  const steps: ShStep[] = [];
  for (const s of stagesBlock.children) {
    const m = s.kind === "block" ? /^stage\((.+)\)$/.exec(s.head) : null;
    if (!m || s.kind !== "block") throw new Error(`stages holds something other than stage(...) { } at line ${s.line}`);
    const name = groovyString(m[1]);
    const stepsBlock = block(s.children, "steps");
    if (!stepsBlock) throw new Error(`stage ${name} has no steps`);
    stages.push({ name, sections: s.children.map((n) => (n.kind === "block" ? n.head : n.text)) });
    const walk = (nodes: GroovyNode[], env: Record<string, string>) => {
      for (const n of nodes) {
        if (n.kind === "block") {
          const w = /^withEnv\(\[(.*)\]\)$/s.exec(n.head);
          if (!w) throw new Error(`unexpected block ${n.head} in the steps of ${name}`);
          const entries = [...w[1].matchAll(/'(?:[^'\\]|\\.)*'/g)].map((e) => groovyString(e[0]));
          walk(n.children, { ...env, ...Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)])) });
        } else {
          const sh = /^sh\s+('''[\s\S]*'''|'(?:[^'\\]|\\.)*')$/.exec(n.text);
          if (!sh) throw new Error(`unexpected step at line ${n.line} of ${name}: ${n.text.slice(0, 60)}`);
          steps.push({ stage: name, script: groovyString(sh[1]), env, line: n.line });
        }
      }
    };
    walk(stepsBlock.children, {});
  }
  const postBlock = block(pipeline.children, "post");
  const agent = agentNode.kind === "block" ? agentNode.children.map((c) => (c.kind === "statement" ? c.text : c.head)).join(" ") : agentNode.text.replace(/^agent\s+/, "");
  return { sections, agent, environment, stages, steps, post: postBlock ? postBlock.children.map((n) => (n.kind === "block" ? n.head : n.text)) : [] };
}

// Merges the runs of a stack's Terraform test suites (scripts/terraform-check.mjs).
//
// Every `terraform test` run plans the whole stack (and an apply run applies it): about 4 CPU-seconds
// a run on a 300-resource stack, whatever its asserts. Most runs of our suites differ only in their
// asserts and command, so all of those become one `command = apply` run holding every assert: an
// assert written for a plan run holds after the apply too (the apply only makes unknown values
// known). A run with anything else (state_key, override_*, plan_options, variables,
// expect_failures, ...) keeps its own run, after the merged one, in its suite's order: it shares
// the state the merged run applied, as it shared the earlier suites' state before.
"use strict";

/**
 * The top-level blocks and attributes of an HCL body, each with its source text. Knows what hides
 * a brace: strings (with escapes and `${...}` templates that nest strings), comments and heredocs.
 */
function items(text) {
  const out = [];
  let i = 0;
  const n = text.length;
  const skipString = () => {
    // text[i] is the opening quote.
    i++;
    while (i < n) {
      const c = text[i];
      if (c === "\\") i += 2;
      else if (c === '"') return void i++;
      else if ((c === "$" || c === "%") && text[i + 1] === "{") {
        i += 2;
        skipBalanced("}");
      } else i++;
    }
    throw new Error("unterminated string");
  };
  const skipComment = () => {
    if (text[i] === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new Error("unterminated comment");
      i = end + 2;
    } else {
      const end = text.indexOf("\n", i);
      i = end < 0 ? n : end + 1;
    }
  };
  const skipHeredoc = () => {
    const m = /^<<-?([A-Za-z_][A-Za-z0-9_]*)\n/.exec(text.slice(i));
    const end = new RegExp(`^\\s*${m[1]}\\s*$`, "m");
    const rest = text.slice(i + m[0].length);
    const e = end.exec(rest);
    if (!e) throw new Error(`unterminated heredoc ${m[1]}`);
    i += m[0].length + e.index + e[0].length;
  };
  // Skips to the matching close (i after it); nested (), [], {} and everything above.
  function skipBalanced(close) {
    const stack = [close];
    while (i < n) {
      const c = text[i];
      if (c === '"') skipString();
      else if (c === "#" || (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*"))) skipComment();
      else if (c === "<" && /^<<-?[A-Za-z_]/.test(text.slice(i, i + 4))) skipHeredoc();
      else if (c === "{" || c === "(" || c === "[") {
        stack.push({ "{": "}", "(": ")", "[": "]" }[c]);
        i++;
      } else if (c === "}" || c === ")" || c === "]") {
        if (c !== stack.pop()) throw new Error(`unbalanced ${c} at offset ${i}`);
        i++;
        if (stack.length === 0) return;
      } else i++;
    }
    throw new Error(`missing ${stack.reverse().join("")}`);
  }
  while (i < n) {
    const c = text[i];
    if (/\s/.test(c)) i++;
    else if (c === "#" || (c === "/" && (text[i + 1] === "/" || text[i + 1] === "*"))) {
      const start = i;
      skipComment();
      out.push({ kind: "comment", text: text.slice(start, i).trimEnd() });
    } else {
      const start = i;
      const head = /^([A-Za-z_][\w-]*)\s*((?:"[^"]*"\s*)*)(=|\{)/.exec(text.slice(i));
      if (!head) throw new Error(`cannot read HCL at: ${JSON.stringify(text.slice(i, i + 40))}`);
      const labels = [...head[2].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
      i += head[0].length;
      if (head[3] === "{") {
        skipBalanced("}");
        const raw = text.slice(start, i);
        out.push({ kind: "block", type: head[1], labels, text: raw, body: raw.slice(raw.indexOf("{") + 1, -1) });
      } else {
        // An attribute: its expression ends at the first newline outside brackets and strings.
        while (i < n && text[i] !== "\n") {
          const d = text[i];
          if (d === '"') skipString();
          else if (d === "{" || d === "(" || d === "[") {
            i++;
            skipBalanced({ "{": "}", "(": ")", "[": "]" }[d]);
          } else if (d === "#" || (d === "/" && text[i + 1] === "/")) break;
          else i++;
        }
        const raw = text.slice(start, i).trimEnd();
        out.push({ kind: "attribute", name: head[1], text: raw, value: raw.slice(raw.indexOf("=") + 1).trim() });
      }
    }
  }
  return out;
}

/** A run that is only `command` and asserts (and comments) can join the merged run. */
function mergeable(run) {
  return items(run.body).every((it) => it.kind === "comment" || (it.kind === "attribute" && it.name === "command" && /^(plan|apply)$/.test(it.value)) || (it.kind === "block" && it.type === "assert"));
}

/**
 * One test file for a stack from its suites ({ name, text }, in order): one `command = apply` run
 * with the asserts of every mergeable run, then the other runs, renamed `<suite>__<run>`.
 * Returns { text, merged, separate } (run counts).
 */
function mergeSuites(suites) {
  const asserts = [];
  const separate = [];
  let merged = 0;
  for (const suite of suites) {
    for (const item of items(suite.text)) {
      if (item.kind !== "block") continue;
      if (item.type !== "run" || item.labels.length !== 1) throw new Error(`${suite.name}: only run blocks may be at the top of a suite (found ${item.type})`);
      const name = `${suite.name}__${item.labels[0]}`;
      if (mergeable(item)) {
        merged++;
        for (const a of items(item.body).filter((it) => it.kind === "block")) asserts.push(`  # ${name}\n  ${a.text}`);
      } else {
        separate.push(item.text.replace(/^run\s+"[^"]*"/, `run "${name}"`));
      }
    }
  }
  const head = asserts.length ? [`run "suites" {\n  command = apply\n\n${asserts.join("\n")}\n}`] : [];
  return { text: [...head, ...separate].join("\n\n") + "\n", merged, separate: separate.length };
}

module.exports = { items, mergeable, mergeSuites };

// How scripts/terraform-check.mjs merges a stack's Terraform test suites into one file
// (scripts/tftest-merge.cjs): plain runs become one apply with all their asserts; any other run
// keeps its own block, after it, in order.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { items, mergeable, mergeSuites } = require("../scripts/tftest-merge.cjs");

const suite = (name: string, text: string) => ({ name, text });

describe("items: the top-level blocks and attributes of an HCL body", () => {
  test("braces inside strings, templates, comments and heredocs do not end a block", () => {
    const text = [
      "# a comment with { and }",
      'run "one" {',
      "  command = plan",
      "  // another } comment",
      "  /* a block } comment */",
      "  assert {",
      '    condition     = "${jsonencode({ a = "}" })}" != "{"',
      '    error_message = "a \\"quoted\\" } brace"',
      "  }",
      "  assert {",
      "    condition = <<-EOT",
      "      } not a brace",
      "    EOT",
      '    error_message = "heredoc"',
      "  }",
      "}",
      'run "two" {',
      "  command = apply",
      "}",
    ].join("\n");
    const found = items(text);
    expect(found.map((i: { kind: string; labels?: string[] }) => [i.kind, i.labels?.[0]])).toEqual([
      ["comment", undefined],
      ["block", "one"],
      ["block", "two"],
    ]);
    const inner = items(found[1].body);
    expect(inner.filter((i: { kind: string }) => i.kind === "block").map((i: { type: string }) => i.type)).toEqual(["assert", "assert"]);
    expect(inner.find((i: { kind: string }) => i.kind === "attribute")).toMatchObject({ name: "command", value: "plan" });
  });

  test("an unbalanced body is an error, not a silently shorter suite", () => {
    expect(() => items('run "x" {\n  assert {\n    condition = true\n')).toThrow(/missing/);
    expect(() => items('run "x" {\n  condition = "open\n}')).toThrow(/unterminated string/);
  });
});

describe("mergeSuites", () => {
  const plain = suite(
    "storage",
    ['run "plan_storage" {', "  command = plan", "", "  assert {", "    condition     = aws_s3_bucket.b.bucket != \"\"", '    error_message = "named"', "  }", "}", "", 'run "apply_storage" {', "  command = apply", "  assert {", "    condition     = output.bucket == aws_s3_bucket.b.bucket", '    error_message = "output"', "  }", "}"].join("\n"),
  );
  const special = suite(
    "drift",
    ['run "after_release" {', "  command   = apply", '  state_key = "after"', "  override_data {", "    target = data.aws_autoscaling_groups.g", '    values = { names = ["copy"] }', "  }", "  assert {", "    condition     = true", '    error_message = "x"', "  }", "}"].join("\n"),
  );

  test("plain runs of every suite become one apply run holding all their asserts, each labelled with its origin", () => {
    const merged = mergeSuites([plain, suite("other", 'run "p" {\n  command = plan\n  assert {\n    condition     = 1 == 1\n    error_message = "one"\n  }\n}')]);
    expect(merged).toMatchObject({ merged: 3, separate: 0 });
    const runs = items(merged.text).filter((i: { kind: string }) => i.kind === "block");
    expect(runs.map((r: { labels: string[] }) => r.labels[0])).toEqual(["suites"]);
    const body = items(runs[0].body);
    expect(body.find((i: { kind: string }) => i.kind === "attribute")).toMatchObject({ name: "command", value: "apply" });
    expect(body.filter((i: { kind: string }) => i.kind === "block")).toHaveLength(3);
    expect(merged.text).toContain("# storage__plan_storage\n  assert {");
    expect(merged.text).toContain("# other__p\n  assert {");
  });

  test("a run with anything but asserts keeps its own block, renamed with its suite, after the merged run", () => {
    const merged = mergeSuites([special, plain]);
    expect(merged).toMatchObject({ merged: 2, separate: 1 });
    const runs = items(merged.text).filter((i: { kind: string }) => i.kind === "block");
    expect(runs.map((r: { labels: string[] }) => r.labels[0])).toEqual(["suites", "drift__after_release"]);
    expect(runs[1].body).toContain('state_key = "after"');
  });

  test.each([
    ["state_key", '  state_key = "s"'],
    ["variables", "  variables {\n    a = 1\n  }"],
    ["expect_failures", "  expect_failures = [output.x]"],
    ["plan_options", "  plan_options {\n    refresh = false\n  }"],
    ["a command other than plan or apply", "  command = destroy"],
  ])("%s keeps a run separate", (_name, line) => {
    const run = items(`run "r" {\n  command = plan\n${line}\n  assert {\n    condition     = true\n    error_message = "x"\n  }\n}`)[0];
    expect(mergeable(run)).toBe(false);
  });

  test("only run blocks may be at the top of a suite", () => {
    expect(() => mergeSuites([suite("bad", 'variables {\n  a = 1\n}')])).toThrow("bad: only run blocks may be at the top of a suite (found variables)");
  });
});

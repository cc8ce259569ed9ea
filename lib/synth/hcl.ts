/**
 * Makes cdktf 0.21's HCL output read like hand-written Terraform: `depends_on` entries come out
 * quoted (deprecated since Terraform 0.12, warned about by `terraform validate`) and nothing is
 * indented. References are unquoted, then the text goes through hclwrite's formatter (the one
 * `terraform fmt` uses, shipped with cdktf as @cdktf/hcl-tools).
 *
 * cdktf writes every multi-line string as a heredoc, and a heredoc's value always ends with a
 * newline that the JSON value does not have: the HCL output of a stack then differs from its JSON
 * output (a CloudWatch agent configuration in SSM, for one, changes on the first plan after leaving
 * cdktf). Each heredoc is wrapped in `trimsuffix(..., "\n")`, which gives back the exact value.
 */
export async function tidyHcl(text: string): Promise<string> {
  const unquoted = text.replace(/(depends_on|ignore_changes|replace_triggered_by) = \[([^\]]*)\]/g, (_m, key: string, list: string) => {
    return `${key} = [${list.replace(/"((?:data\.)?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)"/g, "$1")}]`;
  });
  const exact = unquoted.replace(/<<EOF\n([\s\S]*?)\nEOF(?=\n|$)/g, (_m, body: string) => `trimsuffix(<<EOF\n${body}\nEOF\n, "\\n")`);
  // Loaded on first use: the formatter starts a Go WebAssembly runtime (0.3 s) that JSON output never needs.
  const { format } = await import("@cdktf/hcl-tools");
  const formatted = await format(exact);
  // cdktf leaves runs of blank lines between blocks; one is enough.
  return formatted.replace(/\n{3,}/g, "\n\n");
}

import * as path from "path";
import { Tokenization } from "cdktf";
import type { IResolveContext, ITokenResolver } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * Environment variable that keeps cdktf's own resolver for every value (set it to `1` to rule this
 * shortcut out when a synthesized value looks wrong).
 */
export const KEEP_CDKTF_RESOLVE = "CDKTF_FULL_RESOLVE";

interface ResolveOptions {
  readonly scope: IConstruct;
  readonly resolver: ITokenResolver;
  readonly preparing: boolean;
  readonly prefix?: string[];
  readonly previousContext?: IResolveContext;
}

type Resolve = (obj: unknown, options: ResolveOptions) => unknown;
type TokenizationResolve = typeof Tokenization.resolve;

const cdktfLib = (...file: string[]): string => path.join(path.dirname(require.resolve("cdktf/package.json")), "lib", ...file);
// Loaded by file path: the modules are internal to cdktf (pinned at 0.21.0; a test fails if they move).
const resolveModule = (): { resolve: Resolve } => require(cdktfLib("tokens", "private", "resolve.js"));
const encoding = (): { extractTokenDouble: (x: number, list: boolean) => number | undefined } =>
  require(cdktfLib("tokens", "private", "encoding.js"));
const tokenClass = (): { STRING_MAP_TOKEN_VALUE: string; ANY_MAP_TOKEN_VALUE: string; NUMBER_MAP_TOKEN_VALUE: number } =>
  require(cdktfLib("tokens", "token.js")).Token;

/**
 * Every marker cdktf encodes a token with in a string (`${TfToken[`, `#{TfToken[`, `&{TfToken[`)
 * contains this.
 */
const TOKEN_MARKER = "TfToken[";
/** The marker of a list token (`encoding.js` BEGIN_LIST_TOKEN_MARKER). */
const LIST_TOKEN_MARKER = "#{TfToken[";
/** cdktf's pattern for number tokens written into strings (`encoding.js` NUMBER_TOKEN_REGEX). */
const NUMBER_IN_STRING = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;
/** cdktf's depth limit against cyclic values (`resolve.js`). */
const MAX_DEPTH = 200;

let original: TokenizationResolve | undefined;
let shortcut: TokenizationResolve | undefined;

/**
 * Resolves the plain parts of a value (objects, arrays, strings and numbers that carry no token)
 * without cdktf's per-value machinery, and hands every part that does carry a token, or could,
 * to cdktf's own resolver with the same path and options.
 *
 * cdktf resolves a rendered stack one value at a time: every object key and every string gets a
 * fresh resolution context, two or three regular expression tests and, for keys, a recursive
 * resolve of its own. Most of a stack is plain literals, and the whole merged stack is resolved a
 * second time after its elements were (`TerraformStack.toTerraform`), when nothing is left to
 * resolve. That was the largest part of synthesis (1.1 to 1.5 s of 3.6 s for 50 environments);
 * about a third of it is left, mostly cdktf resolving the tokens themselves.
 *
 * The result is the one cdktf computes: a plain value resolves to a copy of itself without its
 * `undefined` members; anything else goes to cdktf unchanged, at the same path (cdktf's contexts
 * carry nothing at the top of a resolution but the path). `__tests__/synth-shortcuts.test.ts`
 * compares both resolvers on every stack of the default configuration and of every example.
 *
 * Applies to every `App` of the process; `CDKTF_FULL_RESOLVE=1` keeps (or puts back) cdktf's resolver.
 * @returns whether the shortcut is now on
 */
export function resolvePlainValuesDirectly(env: NodeJS.ProcessEnv = process.env): boolean {
  original ??= Tokenization.resolve;
  Tokenization.resolve = env[KEEP_CDKTF_RESOLVE] === "1" ? original : (shortcut ??= plainValueShortcut());
  return Tokenization.resolve === shortcut;
}

function plainValueShortcut(): TokenizationResolve {
  const cdktfResolve = resolveModule().resolve;
  const { extractTokenDouble } = encoding();
  const { STRING_MAP_TOKEN_VALUE, ANY_MAP_TOKEN_VALUE, NUMBER_MAP_TOKEN_VALUE } = tokenClass();

  const plainString = (s: string): boolean =>
    !s.includes(TOKEN_MARKER) && !NUMBER_IN_STRING.test(s) && s !== STRING_MAP_TOKEN_VALUE && s !== ANY_MAP_TOKEN_VALUE;
  const plainNumber = (n: number): boolean =>
    n !== NUMBER_MAP_TOKEN_VALUE && extractTokenDouble(n, false) === undefined && extractTokenDouble(n, true) === undefined;

  const resolvePlain = (value: unknown, options: ResolveOptions, prefix: string[]): unknown => {
    const delegate = (): unknown => cdktfResolve(value, { ...options, prefix: prefix.slice() });
    if (prefix.length > MAX_DEPTH) return delegate();
    switch (typeof value) {
      case "undefined":
      case "boolean":
        return value;
      case "string":
        return plainString(value) ? value : delegate();
      case "number":
        return plainNumber(value) ? value : delegate();
      case "object":
        break;
      default:
        return delegate();
    }
    if (value === null || value instanceof Date) return value;
    if (Array.isArray(value)) {
      // A list token stands for the whole list, so its list is cdktf's; string tokens among other
      // elements are resolved one element at a time, by cdktf as well (below).
      if (value.some((x) => (typeof x === "string" ? x.includes(LIST_TOKEN_MARKER) : typeof x === "number" && extractTokenDouble(x, true) !== undefined))) {
        return delegate();
      }
      const result: unknown[] = [];
      for (let i = 0; i < value.length; i++) {
        prefix.push(`${i}`);
        const x = resolvePlain(value[i], options, prefix);
        prefix.pop();
        if (x !== undefined) result.push(x);
      }
      return result;
    }
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (Tokenization.isResolvable(record) || isConstruct(record) || !keys.every(plainString)) return delegate();
    const result: Record<string, unknown> = {};
    for (const key of keys) {
      prefix.push(key);
      const x = resolvePlain(record[key], options, prefix);
      prefix.pop();
      if (x !== undefined) result[key] = x;
    }
    return result;
  };

  return ((obj: unknown, options: { scope: IConstruct; resolver: ITokenResolver; preparing?: boolean }) =>
    resolvePlain(obj, { scope: options.scope, resolver: options.resolver, preparing: options.preparing ?? false }, [])) as TokenizationResolve;
}

/** cdktf's own test for a construct passed where a value belongs (`resolve.js`). */
function isConstruct(x: Record<string, unknown>): boolean {
  return x._children !== undefined && x._metadata !== undefined;
}

/**
 * IAM's wildcards: `*` any run of characters (also none), `?` exactly one. Compiled once per policy
 * into a RegExp; a pattern without wildcards becomes a plain string comparison.
 */
export type Matcher = (value: string) => boolean;

const escape = (text: string): string => text.replace(/[.+^${}()|[\]\\]/g, '\\$&');

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

export function wildcardMatcher(pattern: string, ignoreCase: boolean): Matcher {
  // Stryker disable next-line ConditionalExpression: a fast path: the RegExp ^.*$ (flag s) below matches all too
  if (pattern === '*') return () => true;
  if (!hasWildcard(pattern)) {
    if (!ignoreCase) return (value) => value === pattern;
    const lower = pattern.toLowerCase();
    return (value) => value.toLowerCase() === lower;
  }
  const source = escape(pattern).replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
  return (value) => re.test(value);
}

/**
 * ArnLike/ArnEquals and Resource matching compare the six colon-separated parts of an ARN one by one,
 * so a `*` in the service part cannot swallow the region. The resource part keeps any further colons.
 */
export function arnMatcher(pattern: string): Matcher {
  if (pattern === '*') return () => true;
  const parts = splitArn(pattern);
  // A pattern that is not six ARN parts matches no ARN.
  if (parts === undefined) return () => false;
  const matchers = parts.map((part) => wildcardMatcher(part, false));
  return (value) => {
    const valueParts = splitArn(value);
    if (valueParts === undefined) return false;
    return matchers.every((matches, i) => {
      const part = valueParts[i];
      // Stryker disable next-line ConditionalExpression: splitArn returns six parts, so part is defined
      return part !== undefined && matches(part);
    });
  };
}

export function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

import { compilePolicy, type CompiledPolicy } from './compiled-policy.js';

/**
 * The key policy AWS gives a key created through the API without one: the account may use IAM policies
 * to allow every KMS action on the key. Written as AWS returns it from GetKeyPolicy. Keys created before
 * key policies existed in Keyledger have this policy from their creation.
 */
export const DEFAULT_KEY_POLICY_ID = 'key-default-1';

export function defaultKeyPolicyText(accountId: string): string {
  return [
    '{',
    '  "Version" : "2012-10-17",',
    `  "Id" : "${DEFAULT_KEY_POLICY_ID}",`,
    '  "Statement" : [ {',
    '    "Sid" : "Enable IAM User Permissions",',
    '    "Effect" : "Allow",',
    '    "Principal" : {',
    `      "AWS" : "arn:aws:iam::${accountId}:root"`,
    '    },',
    '    "Action" : "kms:*",',
    '    "Resource" : "*"',
    '  } ]',
    '}',
  ].join('\n');
}

const compiledDefaults = new Map<string, CompiledPolicy>();

/** Compiled once per account and shared by every key that has it. */
export function defaultKeyPolicy(accountId: string): CompiledPolicy {
  let policy = compiledDefaults.get(accountId);
  if (policy === undefined) {
    const compiled = compilePolicy(defaultKeyPolicyText(accountId), 'key');
    // Stryker disable next-line ConditionalExpression,StringLiteral: constant text that compiles (spec)
    if (!('statements' in compiled)) throw new Error(`default key policy failed to compile: ${compiled.message}`);
    policy = compiled;
    compiledDefaults.set(accountId, policy);
  }
  return policy;
}

import {
  EncryptionContextType,
  GrantConstraintSourceArnType,
  GrantIdType,
  GrantNameType,
  GrantOperation,
  GrantTokenList,
  GrantTokenType,
  KeyIdType,
  LimitType,
  MarkerType,
  NullableBooleanType,
  PrincipalIdType,
  ServicePrincipalType,
} from './model-shapes.js';
import { listOf, Member, structure } from './shapes.js';

/* Grants and key policy names: one class per request, members as in kms-operations.txt (see request-dtos.ts). */

export class GrantConstraints {
  @Member(EncryptionContextType) EncryptionContextSubset?: Record<string, string>;
  @Member(EncryptionContextType) EncryptionContextEquals?: Record<string, string>;
  @Member(GrantConstraintSourceArnType) SourceArn?: string;
}
const GrantConstraintsShape = structure('GrantConstraints', () => GrantConstraints);
const GrantOperationList = listOf('GrantOperationList', GrantOperation);

export class CreateGrantRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(PrincipalIdType) GranteePrincipal?: string;
  @Member(PrincipalIdType) RetiringPrincipal?: string;
  @Member(GrantOperationList, { required: true }) Operations!: string[];
  @Member(GrantConstraintsShape) Constraints?: GrantConstraints;
  @Member(GrantTokenList) GrantTokens?: string[];
  @Member(GrantNameType) Name?: string;
  @Member(NullableBooleanType) DryRun?: boolean;
  @Member(ServicePrincipalType) GranteeServicePrincipal?: string;
  @Member(ServicePrincipalType) RetiringServicePrincipal?: string;
}
export class ListGrantsRequest {
  @Member(LimitType) Limit?: number;
  @Member(MarkerType) Marker?: string;
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(GrantIdType) GrantId?: string;
  @Member(PrincipalIdType) GranteePrincipal?: string;
  @Member(ServicePrincipalType) GranteeServicePrincipal?: string;
}
export class ListRetirableGrantsRequest {
  @Member(LimitType) Limit?: number;
  @Member(MarkerType) Marker?: string;
  @Member(PrincipalIdType) RetiringPrincipal?: string;
  @Member(ServicePrincipalType) RetiringServicePrincipal?: string;
}
export class RetireGrantRequest {
  @Member(GrantTokenType) GrantToken?: string;
  @Member(KeyIdType) KeyId?: string;
  @Member(GrantIdType) GrantId?: string;
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class RevokeGrantRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(GrantIdType, { required: true }) GrantId!: string;
  @Member(NullableBooleanType) DryRun?: boolean;
}
export class ListKeyPoliciesRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(LimitType) Limit?: number;
  @Member(MarkerType) Marker?: string;
}

import { BooleanType, DescriptionType, KeyIdType, PolicyType, RegionType } from './model-shapes.js';
import { TagList, type Tag } from './request-dtos.js';
import { Member } from './shapes.js';

/* Multi-Region keys: one class per request, members as in kms-operations.txt (see request-dtos.ts). */

export class ReplicateKeyRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(RegionType, { required: true }) ReplicaRegion!: string;
  @Member(PolicyType) Policy?: string;
  @Member(BooleanType) BypassPolicyLockoutSafetyCheck?: boolean;
  @Member(DescriptionType) Description?: string;
  @Member(TagList) Tags?: Tag[];
}

export class UpdatePrimaryRegionRequest {
  @Member(KeyIdType, { required: true }) KeyId!: string;
  @Member(RegionType, { required: true }) PrimaryRegion!: string;
}

import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { SessionUser } from '../../users/user.entity';
import { BlobHolders } from '../blob-holders';
import { NodeType } from '../entities/resource-property.entity';
import { quotaExceeded } from '../file-upload.service';
import {
  DEAD_PROPERTIES_PER_RESOURCE,
  DEAD_PROPERTY_BYTES_PER_RESOURCE,
  DEAD_PROPERTY_BYTES_PER_USER,
  PROPERTY_MESSAGES,
} from './properties.constants';
import { PropertyChange, propertyCost, ResourcePropertiesRepository } from './resource-properties.repository';

const qnameKey = ({ namespace, name }: { namespace: string; name: string }): string => `${namespace} ${name}`;

function insufficientStorage(message: string): HttpException {
  return new HttpException({ error: message }, HttpStatus.INSUFFICIENT_STORAGE);
}

/**
 * Dead properties of files and folders: what a client may store on them (WebDAV PROPPATCH) and
 * what that costs. They count toward the owner's quota and `bytesStored`, and are capped per
 * resource and per account, so that no account can fill the database or make a listing slow
 * (README "Limits").
 */
@Injectable()
export class ResourcePropertiesService {
  constructor(
    private readonly properties: ResourcePropertiesRepository,
    private readonly holders: BlobHolders,
  ) {
    this.holders.register({ bytesByOwner: (ids) => this.properties.bytesByOwner(ids), blobKeysIn: () => Promise.resolve(new Set()) });
  }

  /**
   * Applies the changes in order, all or nothing, or refuses them all with 507 when the resource
   * would pass its limits, or the account its limit or quota. Changes that shrink what is stored
   * are never refused.
   */
  async apply(user: SessionUser, nodeType: NodeType, nodeId: number, changes: readonly PropertyChange[]): Promise<void> {
    const current = await this.properties.listOf(nodeType, nodeId);
    const before = new Map(current.map((row) => [qnameKey(row), propertyCost(row)]));
    const after = new Map(before);
    for (const change of changes) {
      if (change.value === null) after.delete(qnameKey(change));
      else after.set(qnameKey(change), propertyCost({ ...change, value: change.value }));
    }
    const sum = (costs: Map<string, number>): number => [...costs.values()].reduce((a, b) => a + b, 0);
    const growth = sum(after) - sum(before);
    if (growth > 0) {
      if (after.size > DEAD_PROPERTIES_PER_RESOURCE) throw insufficientStorage(PROPERTY_MESSAGES.tooManyOnResource);
      if (sum(after) > DEAD_PROPERTY_BYTES_PER_RESOURCE) throw insufficientStorage(PROPERTY_MESSAGES.tooLargeOnResource);
      const ofUser = (await this.properties.bytesByOwner([user.id])).get(user.id) ?? 0;
      if (ofUser + growth > DEAD_PROPERTY_BYTES_PER_USER) throw insufficientStorage(PROPERTY_MESSAGES.tooLargeForUser);
      if (user.storageQuota !== null && (await this.holders.bytesOfOwner(user.id)) + growth > user.storageQuota) throw quotaExceeded();
    }
    await this.properties.apply(user.id, nodeType, nodeId, changes);
  }
}

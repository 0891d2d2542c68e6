import { BlobHolders } from '../blob-holders';
import { ResourceProperty } from '../entities/resource-property.entity';
import { DEAD_PROPERTY_BYTES_PER_USER } from './properties.constants';
import { PropertyChange, propertyCost, ResourcePropertiesRepository } from './resource-properties.repository';
import { ResourcePropertiesService } from './resource-properties.service';

/** Holds what the service stores; every owner's total is what `bytesOfUser` says. */
class FakeProperties {
  rows: ResourceProperty[] = [];
  bytesOfUser = 0;
  applied: PropertyChange[][] = [];
  async listOf(): Promise<ResourceProperty[]> {
    return this.rows;
  }
  async bytesByOwner(ids: readonly number[]): Promise<Map<number, number>> {
    return new Map(ids.map((id) => [id, this.bytesOfUser]));
  }
  async apply(_owner: number, _type: string, _id: number, changes: PropertyChange[]): Promise<void> {
    this.applied.push(changes);
  }
}

describe('ResourcePropertiesService', () => {
  const user = { id: 7, username: 'u', role: 'user' as const, blockLogin: false, changePasswordOnFirstLogin: false, storageQuota: null };
  const set = (value: string) => ({ namespace: 'urn:x', name: 'p', value });
  let repo: FakeProperties;
  let service: ResourcePropertiesService;
  beforeEach(() => {
    repo = new FakeProperties();
    service = new ResourcePropertiesService(repo as unknown as ResourcePropertiesRepository, new BlobHolders());
  });

  it(`refuses growth past ${DEAD_PROPERTY_BYTES_PER_USER} bytes per account, even without a quota (507), and never a shrink`, async () => {
    repo.bytesOfUser = DEAD_PROPERTY_BYTES_PER_USER - 150;
    await expect(service.apply(user, 'file', 1, [set('x'.repeat(100))])).rejects.toMatchObject({ status: 507 });
    expect(repo.applied).toEqual([]);
    repo.bytesOfUser = DEAD_PROPERTY_BYTES_PER_USER - propertyCost(set('x'.repeat(100)));
    await service.apply(user, 'file', 1, [set('x'.repeat(100))]);
    // Over the limit already (it was lowered, say): replacing with less, or removing, still works.
    repo.bytesOfUser = DEAD_PROPERTY_BYTES_PER_USER + 1000;
    repo.rows = [{ id: 1, ownerId: 7, nodeType: 'file', nodeId: 1, namespace: 'urn:x', name: 'p', value: 'x'.repeat(100), cost: 0 }];
    await service.apply(user, 'file', 1, [set('short')]);
    await service.apply(user, 'file', 1, [{ namespace: 'urn:x', name: 'p', value: null }]);
    expect(repo.applied).toHaveLength(3);
  });
});

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { NodeType, ResourceProperty } from '../entities/resource-property.entity';

const SLICE = 500;

export interface PropertyName {
  namespace: string;
  name: string;
}

/** Dead properties of files and folders (WebDAV PROPPATCH). */
@Injectable()
export class ResourcePropertiesRepository {
  constructor(@InjectRepository(ResourceProperty) private readonly properties: Repository<ResourceProperty>) {}

  listOf(nodeType: NodeType, nodeId: number): Promise<ResourceProperty[]> {
    return this.properties.find({ where: { nodeType, nodeId }, order: { id: 'ASC' } });
  }

  /** Sets and removes in one transaction: PROPPATCH is all or nothing (RFC 4918 §9.2). */
  async apply(ownerId: number, nodeType: NodeType, nodeId: number, set: (PropertyName & { value: string })[], remove: PropertyName[]): Promise<void> {
    await this.properties.manager.transaction(async (manager) => {
      const repo = manager.getRepository(ResourceProperty);
      for (const property of set) {
        await repo.delete({ nodeType, nodeId, namespace: property.namespace, name: property.name });
        await repo.insert({ ownerId, nodeType, nodeId, ...property });
      }
      for (const property of remove) await repo.delete({ nodeType, nodeId, namespace: property.namespace, name: property.name });
    });
  }

  /** Copies every property of one resource onto another (COPY). */
  async copy(nodeType: NodeType, fromId: number, toId: number): Promise<void> {
    const rows = await this.listOf(nodeType, fromId);
    if (rows.length === 0) return;
    await this.properties.insert(rows.map(({ ownerId, namespace, name, value }) => ({ ownerId, nodeType, nodeId: toId, namespace, name, value })));
  }

  async deleteOf(nodeType: NodeType, nodeIds: readonly number[]): Promise<void> {
    for (let i = 0; i < nodeIds.length; i += SLICE) await this.properties.delete({ nodeType, nodeId: In(nodeIds.slice(i, i + SLICE)) });
  }
}

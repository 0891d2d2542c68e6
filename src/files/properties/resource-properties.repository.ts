import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { NodeType, ResourceProperty } from '../entities/resource-property.entity';

const SLICE = 500;

export interface PropertyName {
  namespace: string;
  name: string;
}

/** A property to set (its XML as `value`) or, with `value: null`, to remove. */
export interface PropertyChange extends PropertyName {
  value: string | null;
}

/** Dead properties of files and folders (WebDAV PROPPATCH). */
@Injectable()
export class ResourcePropertiesRepository {
  constructor(@InjectRepository(ResourceProperty) private readonly properties: Repository<ResourceProperty>) {}

  listOf(nodeType: NodeType, nodeId: number): Promise<ResourceProperty[]> {
    return this.properties.find({ where: { nodeType, nodeId }, order: { id: 'ASC' } });
  }

  /**
   * Sets (with a value) and removes (without), in the order given, in one transaction: PROPPATCH
   * is all or nothing and applies its instructions in document order (RFC 4918 §9.2).
   */
  async apply(ownerId: number, nodeType: NodeType, nodeId: number, changes: PropertyChange[]): Promise<void> {
    await this.properties.manager.transaction(async (manager) => {
      const repo = manager.getRepository(ResourceProperty);
      for (const { namespace, name, value } of changes) {
        await repo.delete({ nodeType, nodeId, namespace, name });
        if (value !== null) await repo.insert({ ownerId, nodeType, nodeId, namespace, name, value });
      }
    });
  }

  /** The properties of many resources of one type, in one query per slice of ids. */
  async listOfMany(nodeType: NodeType, nodeIds: readonly number[]): Promise<ResourceProperty[]> {
    const found: ResourceProperty[] = [];
    for (let i = 0; i < nodeIds.length; i += SLICE) {
      found.push(...(await this.properties.find({ where: { nodeType, nodeId: In(nodeIds.slice(i, i + SLICE)) }, order: { id: 'ASC' } })));
    }
    return found;
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

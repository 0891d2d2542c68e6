import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { NodeType, ResourceProperty } from '../entities/resource-property.entity';
import { PROPERTY_ROW_BYTES } from './properties.constants';

const SLICE = 500;
/** Rows per multi-row insert: well under every database's limit on bound parameters. */
const INSERT_SLICE = 100;

export interface PropertyName {
  namespace: string;
  name: string;
}

/** A property to set (its XML as `value`) or, with `value: null`, to remove. */
export interface PropertyChange extends PropertyName {
  value: string | null;
}

/** What one property costs: the UTF-8 bytes of its namespace, name and value, and its row. */
export function propertyCost({ namespace, name, value }: PropertyName & { value: string }): number {
  return Buffer.byteLength(namespace) + Buffer.byteLength(name) + Buffer.byteLength(value) + PROPERTY_ROW_BYTES;
}

/** What a listing writes of a property: no more is read. */
const LISTED = { id: true, nodeId: true, namespace: true, name: true, value: true } as const;
export type ListedProperty = Pick<ResourceProperty, keyof typeof LISTED>;

/** Dead properties of files and folders (WebDAV PROPPATCH). */
@Injectable()
export class ResourcePropertiesRepository {
  constructor(@InjectRepository(ResourceProperty) private readonly properties: Repository<ResourceProperty>) {}

  /** In the order they were set (sorted here, as in `listOfMany`). */
  async listOf(nodeType: NodeType, nodeId: number): Promise<ResourceProperty[]> {
    return (await this.properties.find({ where: { nodeType, nodeId } })).sort((a, b) => a.id - b.id);
  }

  /**
   * Sets (with a value) and removes (without), in the order given, in one transaction: PROPPATCH
   * is all or nothing and applies its instructions in document order (RFC 4918 §9.2).
   */
  async apply(ownerId: number, nodeType: NodeType, nodeId: number, changes: readonly PropertyChange[]): Promise<void> {
    // In document order, the last change of a name wins: one delete and one insert in all.
    const last = new Map<string, PropertyChange>();
    for (const change of changes) {
      const key = `${change.namespace} ${change.name}`;
      last.delete(key);
      last.set(key, change);
    }
    await this.properties.manager.transaction(async (manager) => {
      const repo = manager.getRepository(ResourceProperty);
      const existing = await repo.find({ select: { id: true, namespace: true, name: true }, where: { nodeType, nodeId } });
      const replaced = existing.filter((row) => last.has(`${row.namespace} ${row.name}`)).map((row) => row.id);
      for (let i = 0; i < replaced.length; i += SLICE) await repo.delete({ id: In(replaced.slice(i, i + SLICE)) });
      const set = [...last.values()].flatMap(({ namespace, name, value }) =>
        value === null ? [] : [{ ownerId, nodeType, nodeId, namespace, name, value, cost: propertyCost({ namespace, name, value }) }],
      );
      for (let i = 0; i < set.length; i += INSERT_SLICE) await repo.insert(set.slice(i, i + INSERT_SLICE));
    });
  }

  /** What each owner's properties cost (README "Limits"), for the owners that have any. */
  async bytesByOwner(ownerIds: readonly number[]): Promise<Map<number, number>> {
    if (ownerIds.length === 0) return new Map();
    const rows = await this.properties
      .createQueryBuilder('p')
      .select('p.owner_id', 'ownerId')
      .addSelect('SUM(p.cost)', 'total')
      .where('p.owner_id IN (:...ownerIds)', { ownerIds })
      .groupBy('p.owner_id')
      .getRawMany<{ ownerId: number | string; total: number | string | null }>();
    return new Map(rows.map((row) => [Number(row.ownerId), Number(row.total ?? 0)]));
  }

  /**
   * The properties of many resources of one type, in one query per slice of ids, in the order
   * they were set. Sorted here: an ORDER BY id would let the database walk the whole table in
   * id order instead of the index on the resource.
   */
  async listOfMany(nodeType: NodeType, nodeIds: readonly number[]): Promise<ListedProperty[]> {
    const found: ResourceProperty[] = [];
    for (let i = 0; i < nodeIds.length; i += SLICE) {
      found.push(...(await this.properties.find({ select: LISTED, where: { nodeType, nodeId: In(nodeIds.slice(i, i + SLICE)) } })));
    }
    return found.sort((a, b) => a.id - b.id);
  }

  /** Copies every property of one resource onto another (COPY). */
  async copy(nodeType: NodeType, fromId: number, toId: number): Promise<void> {
    const rows = await this.listOf(nodeType, fromId);
    if (rows.length === 0) return;
    await this.properties.insert(rows.map(({ ownerId, namespace, name, value, cost }) => ({ ownerId, nodeType, nodeId: toId, namespace, name, value, cost })));
  }

  async deleteOf(nodeType: NodeType, nodeIds: readonly number[]): Promise<void> {
    for (let i = 0; i < nodeIds.length; i += SLICE) await this.properties.delete({ nodeType, nodeId: In(nodeIds.slice(i, i + SLICE)) });
  }
}

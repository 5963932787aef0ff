import type { AccessReport } from './access-query.js';

export const GraphFormats = ['mermaid', 'dot'] as const;
export type GraphFormat = (typeof GraphFormats)[number];

interface GraphNode {
  readonly id: string;
  readonly kind: string;
  readonly label: string;
}

/** Nodes and edges of the entitlement graph, before rendering. Order is deterministic. */
export interface EntitlementGraph {
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

/**
 * The graph of a report's entitlements: Okta group → IdC group → permission set → account,
 * IdC user (← Okta user) → permission set → account for direct assignments, and Okta group → IAM
 * role → account for SAML federation. With a user filter, the user's node points at the groups
 * that give them access. Filtering happens in the report, so a filtered graph has only the edges
 * of the matching entitlements.
 */
export function buildGraph(report: AccessReport): EntitlementGraph {
  const nodes = new Map<string, GraphNode>();
  const edges = new Map<string, { from: string; to: string }>();
  const node = (kind: string, key: string, label: string): string => {
    const id = `${kind}:${key}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind, label });
    return id;
  };
  const edge = (from: string, to: string): void => {
    edges.set(`${from}\u0000${to}`, { from, to });
  };
  const accountLabel = (account: { id: string; name?: string }): string =>
    account.name && account.name !== account.id ? `${account.name} (${account.id})` : account.id;

  for (const entitlement of report.entitlements) {
    const account = node('account', entitlement.account.id, accountLabel(entitlement.account));
    if (entitlement.kind === 'saml-federation') {
      const group = node('okta-group', entitlement.oktaGroup.id, entitlement.oktaGroup.name);
      const role = node('iam-role', entitlement.role.arn, entitlement.role.roleName);
      edge(group, role);
      edge(role, account);
      continue;
    }
    const permissionSet = node(
      'permission-set',
      entitlement.permissionSet.permissionSetArn,
      entitlement.permissionSet.name,
    );
    edge(permissionSet, account);
    if (entitlement.kind === 'group-assignment') {
      const idcGroup = node(
        'idc-group',
        entitlement.idcGroup.groupId,
        entitlement.idcGroup.displayName,
      );
      edge(idcGroup, permissionSet);
      if (entitlement.oktaGroup) {
        edge(node('okta-group', entitlement.oktaGroup.id, entitlement.oktaGroup.name), idcGroup);
      }
    } else {
      const idcUser = node('idc-user', entitlement.idcUser.userId, entitlement.idcUser.userName);
      edge(idcUser, permissionSet);
      if (entitlement.oktaUser) {
        edge(node('okta-user', entitlement.oktaUser.id, entitlement.oktaUser.login), idcUser);
      }
    }
  }
  if (report.filter.user !== undefined) {
    for (const grant of report.grants) {
      if (grant.kind === 'user-assignment') continue;
      const person = grant.user.oktaUserId
        ? node('okta-user', grant.user.oktaUserId, grant.user.oktaLogin ?? grant.user.oktaUserId)
        : node(
            'idc-user',
            grant.user.idcUserId ?? '?',
            grant.user.idcUserName ?? grant.user.idcUserId ?? '?',
          );
      const group = grant.group?.oktaGroupId
        ? node(
            'okta-group',
            grant.group.oktaGroupId,
            grant.group.oktaGroupName ?? grant.group.oktaGroupId,
          )
        : node('idc-group', grant.group?.idcGroupId ?? '?', grant.group?.idcGroupName ?? '?');
      edge(person, group);
    }
  }
  const order = [
    'okta-user',
    'okta-group',
    'idc-user',
    'idc-group',
    'permission-set',
    'iam-role',
    'account',
  ];
  const sortedNodes = [...nodes.values()].sort(
    (a, b) =>
      order.indexOf(a.kind) - order.indexOf(b.kind) ||
      a.label.localeCompare(b.label) ||
      a.id.localeCompare(b.id),
  );
  const rank = new Map(sortedNodes.map((n, i) => [n.id, i]));
  const sortedEdges = [...edges.values()].sort(
    (a, b) =>
      (rank.get(a.from) ?? 0) - (rank.get(b.from) ?? 0) ||
      (rank.get(a.to) ?? 0) - (rank.get(b.to) ?? 0),
  );
  return { nodes: sortedNodes, edges: sortedEdges };
}

const KIND_LABEL: Record<string, string> = {
  'okta-user': 'Okta user',
  'okta-group': 'Okta group',
  'idc-user': 'IdC user',
  'idc-group': 'IdC group',
  'permission-set': 'Permission set',
  'iam-role': 'IAM role',
  account: 'Account',
};

/** Renders the graph as Mermaid (`flowchart LR`) or Graphviz DOT text, ending in a newline. */
export function renderGraph(report: AccessReport, format: GraphFormat): string {
  const graph = buildGraph(report);
  const short = new Map(graph.nodes.map((n, i) => [n.id, `n${i + 1}`]));
  const lines: string[] = [];
  if (format === 'mermaid') {
    lines.push('flowchart LR');
    for (const n of graph.nodes) {
      const text = `${KIND_LABEL[n.kind] ?? n.kind}: ${n.label}`.replace(/"/g, '#quot;');
      lines.push(`  ${short.get(n.id)}["${text}"]`);
    }
    for (const e of graph.edges) lines.push(`  ${short.get(e.from)} --> ${short.get(e.to)}`);
  } else {
    const quote = (text: string): string =>
      `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
    lines.push('digraph entitlements {', '  rankdir=LR;', '  node [shape=box];');
    for (const n of graph.nodes) {
      lines.push(
        `  ${short.get(n.id)} [label=${quote(`${KIND_LABEL[n.kind] ?? n.kind}\n${n.label}`)}];`,
      );
    }
    for (const e of graph.edges) lines.push(`  ${short.get(e.from)} -> ${short.get(e.to)};`);
    lines.push('}');
  }
  return `${lines.join('\n')}\n`;
}

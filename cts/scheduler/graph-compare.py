#!/usr/bin/env python3
"""Compares two transition graphs (Pacemaker's transition_graph format) by what a
controller would execute: the set of rsc_op/crm_event actions (operation_key@on_node)
and, for each, the set of those actions that must complete before it, following inputs
through pseudo-events. Ids and the shape of pseudo-event chains are ignored.
Usage: graph-compare.py EXPECTED.xml ACTUAL.xml  (exit 0 same, 1 different)."""
import sys
import xml.etree.ElementTree as ET


def key(e):
    if e.tag == 'pseudo_event':
        return 'pseudo:' + e.get('operation_key')
    if e.get('operation') == 'cancel':
        return 'cancel:%s@%s' % (e.get('operation_key'), e.get('on_node'))
    return '%s@%s' % (e.get('operation_key'), e.get('on_node'))


def load(path):
    root = ET.parse(path).getroot()
    inputs = {}
    for syn in root.findall('synapse'):
        action = syn.find('action_set')[0]
        inputs[key(action)] = {key(t[0]) for t in syn.find('inputs').findall('trigger')}
    return inputs


def closure(inputs):
    memo = {}

    def before(k, seen):
        if k in memo:
            return memo[k]
        result = set()
        for p in inputs.get(k, ()):
            if p in seen:
                continue
            if not p.startswith('pseudo:'):
                result.add(p)
            result |= before(p, seen | {k})
        memo[k] = result
        return result
    return {k: before(k, frozenset()) for k in inputs if not k.startswith('pseudo:')}


def main():
    expected = closure(load(sys.argv[1]))
    actual = closure(load(sys.argv[2]))
    diffs = []
    for k in sorted(set(expected) | set(actual)):
        if k not in actual:
            diffs.append('missing action ' + k)
        elif k not in expected:
            diffs.append('extra action ' + k)
        else:
            for p in sorted(expected[k] - actual[k]):
                diffs.append('missing edge %s -> %s' % (p, k))
            for p in sorted(actual[k] - expected[k]):
                diffs.append('extra edge %s -> %s' % (p, k))
    for d in diffs:
        print(d)
    return 1 if diffs else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
"""Compares two transition graphs (Pacemaker's transition_graph format) by what a
controller would execute: the set of rsc_op/crm_event actions (operation_key@on_node)
and, for each, the set of those actions that must complete before it, following inputs
through pseudo-events. Ids and the shape of pseudo-event chains are ignored, except that
the pseudo-events of the clones themselves (start, running, ..., and the notification
pseudo-events, recognized by their CRM_meta_clone_max) must be the same. Notify actions
must also carry the same notification meta attributes (CRM_meta_notify_*: type,
operation and the lists of instances and nodes an agent reads).
Usage: graph-compare.py EXPECTED.xml ACTUAL.xml  (exit 0 same, 1 different)."""
import sys
import xml.etree.ElementTree as ET


def key(e):
    if e.tag == 'pseudo_event':
        return 'pseudo:' + e.get('operation_key')
    if e.get('operation') == 'cancel':
        return 'cancel:%s@%s' % (e.get('operation_key'), e.get('on_node'))
    return '%s@%s' % (e.get('operation_key'), e.get('on_node'))


def notify_meta(action):
    attrs = action.find('attributes')
    if action.get('operation') != 'notify' or attrs is None:
        return None
    return {k: v for k, v in attrs.attrib.items() if k.startswith('CRM_meta_notify')}


def is_clone_event(action):
    """A pseudo-event of a clone itself (not of a cloned group's instance, "GROUP:N_...")."""
    attrs = action.find('attributes')
    return (action.tag == 'pseudo_event' and attrs is not None
            and 'CRM_meta_clone_max' in attrs.attrib
            and ':' not in action.get('operation_key'))


def load(path):
    root = ET.parse(path).getroot()
    inputs = {}
    notify = {}
    clone_events = set()
    for syn in root.findall('synapse'):
        action = syn.find('action_set')[0]
        k = key(action)
        inputs[k] = {key(t[0]) for t in syn.find('inputs').findall('trigger')}
        meta = notify_meta(action)
        if meta is not None:
            notify[k] = meta
        if is_clone_event(action):
            clone_events.add(k)
    return inputs, notify, clone_events


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


def compare_notify(expected, actual, diffs):
    for k in sorted(set(expected) & set(actual)):
        for name in sorted(set(expected[k]) | set(actual[k])):
            want = expected[k].get(name)
            got = actual[k].get(name)
            if want != got:
                diffs.append('notify meta %s of %s: expected %r, got %r' % (name, k, want, got))


def main():
    exp_inputs, exp_notify, exp_events = load(sys.argv[1])
    act_inputs, act_notify, act_events = load(sys.argv[2])
    expected = closure(exp_inputs)
    actual = closure(act_inputs)
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
    for k in sorted(exp_events - act_events):
        diffs.append('missing clone event ' + k)
    for k in sorted(act_events - exp_events):
        diffs.append('extra clone event ' + k)
    compare_notify(exp_notify, act_notify, diffs)
    for d in diffs:
        print(d)
    return 1 if diffs else 0


if __name__ == '__main__':
    sys.exit(main())

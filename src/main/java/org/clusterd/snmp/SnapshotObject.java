package org.clusterd.snmp;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.function.Function;

import org.snmp4j.agent.DefaultMOScope;
import org.snmp4j.agent.MOQueryWithSource;
import org.snmp4j.agent.MOScope;
import org.snmp4j.agent.mo.GenericManagedObject;
import org.snmp4j.agent.request.SubRequest;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.Null;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * One read-only managed object covering a whole subtree, whose instances are a sorted map rendered
 * from a snapshot. Each request is answered from one rendering ({@link Source} caches it per request),
 * so the values of one GET or GETBULK always belong together. Writes are refused with notWritable
 * (and VACM refuses them before with noAccess: no user has a write view).
 */
final class SnapshotObject implements GenericManagedObject {
    /** The current instances; {@code request} identifies the SNMP request asking (may be null). */
    @FunctionalInterface
    interface Source {
        NavigableMap<OID, Variable> values(Object request);
    }

    private final MOScope scope;
    private final Source source;
    private final List<OID> objectTypes;

    /**
     * @param root        the subtree served
     * @param objectTypes the defined objects (scalars, columns) below it: a GET for an instance that
     *                    does not exist answers noSuchInstance below those, noSuchObject elsewhere
     */
    SnapshotObject(OID root, Source source, List<OID> objectTypes) {
        this.scope = new DefaultMOScope(root, true, root.nextPeer(), false);
        this.source = source;
        this.objectTypes = List.copyOf(objectTypes);
    }

    @Override
    public MOScope getScope() {
        return scope;
    }

    @Override
    public OID find(MOScope range) {
        Object request = range instanceof MOQueryWithSource ? ((MOQueryWithSource) range).getSource() : null;
        Map.Entry<OID, Variable> e = first(source.values(request), range, oid -> true);
        return e == null ? null : e.getKey();
    }

    @Override
    public void get(SubRequest<?> request) {
        VariableBinding vb = request.getVariableBinding();
        Variable value = source.values(request.getRequest()).get(vb.getOid());
        if (value != null) {
            vb.setVariable((Variable) value.clone());
        } else if (objectTypes.stream().anyMatch(t -> vb.getOid().startsWith(t) && vb.getOid().size() > t.size())) {
            vb.setVariable(Null.noSuchInstance);
        } else {
            vb.setVariable(Null.noSuchObject);
        }
        request.completed();
    }

    @Override
    @SuppressWarnings("deprecation") // the interface still requires it; the agent calls next(request, filter)
    public boolean next(SubRequest<?> request) {
        return next(request, oid -> true);
    }

    @Override
    public boolean next(SubRequest<?> request, Function<OID, Boolean> filter) {
        Map.Entry<OID, Variable> e = first(source.values(request.getRequest()), request.getScope(), filter);
        if (e == null) {
            return false;
        }
        VariableBinding vb = request.getVariableBinding();
        vb.setOid(new OID(e.getKey()));
        vb.setVariable((Variable) e.getValue().clone());
        request.completed();
        return true;
    }

    /** The first instance inside {@code range} that passes {@code filter} (the VACM view). */
    private static Map.Entry<OID, Variable> first(NavigableMap<OID, Variable> values, MOScope range,
                                                  Function<OID, Boolean> filter) {
        OID lower = range.getLowerBound();
        NavigableMap<OID, Variable> tail = lower == null ? values : values.tailMap(lower, range.isLowerIncluded());
        OID upper = range.getUpperBound();
        for (Map.Entry<OID, Variable> e : tail.entrySet()) {
            if (upper != null) {
                int c = e.getKey().compareTo(upper);
                if (c > 0 || (c == 0 && !range.isUpperIncluded())) {
                    return null;
                }
            }
            if (Boolean.TRUE.equals(filter.apply(e.getKey()))) {
                return e;
            }
        }
        return null;
    }

    @Override
    public void prepare(SubRequest<?> request) {
        request.getStatus().setErrorStatus(SnmpConstants.SNMP_ERROR_NOT_WRITEABLE);
    }

    @Override
    public void commit(SubRequest<?> request) {
        request.getStatus().setErrorStatus(SnmpConstants.SNMP_ERROR_COMMIT_FAILED);
    }

    @Override
    public void undo(SubRequest<?> request) {
        request.getStatus().setPhaseComplete(true);
    }

    @Override
    public void cleanup(SubRequest<?> request) {
        request.getStatus().setPhaseComplete(true);
    }

    @Override
    public String toString() {
        return "SnapshotObject[" + scope.getLowerBound() + "]";
    }
}

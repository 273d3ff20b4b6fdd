package dev.outpost.edge.abi;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Guest-visible handles for one kind of host object. Handles are small ints; freed slots are reused. Not thread-safe:
 * a sandbox's hostcalls all run on the guest's thread.
 */
public final class HandleTable<T> {
    private final String kind;
    private final List<T> slots = new ArrayList<>();
    private final ArrayList<Integer> free = new ArrayList<>();

    public HandleTable(String kind) {
        this.kind = kind;
    }

    public int insert(T value) {
        if (!free.isEmpty()) {
            int handle = free.removeLast();
            slots.set(handle, value);
            return handle;
        }
        slots.add(value);
        return slots.size() - 1;
    }

    public T get(int handle) {
        T value = handle >= 0 && handle < slots.size() ? slots.get(handle) : null;
        if (value == null) {
            throw HostcallException.badHandle(kind, handle);
        }
        return value;
    }

    /** The value at {@code handle} if it is a {@code type}; {@code badf} otherwise. */
    public <U extends T> U get(int handle, Class<U> type, String typeName) {
        T value = get(handle);
        if (!type.isInstance(value)) {
            throw HostcallException.badHandle(typeName, handle);
        }
        return type.cast(value);
    }

    public boolean contains(int handle) {
        return handle >= 0 && handle < slots.size() && slots.get(handle) != null;
    }

    public T remove(int handle) {
        T value = get(handle);
        slots.set(handle, null);
        free.add(handle);
        return value;
    }

    /** Removes every live value, handing each to {@code closer}. */
    public void clear(Consumer<? super T> closer) {
        for (T value : slots) {
            if (value != null) {
                closer.accept(value);
            }
        }
        slots.clear();
        free.clear();
    }
}

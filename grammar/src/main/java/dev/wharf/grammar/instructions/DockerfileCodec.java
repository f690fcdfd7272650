package dev.wharf.grammar.instructions;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A typed {@link Dockerfile} as bytes and back, for a parse cache that lets a fresh JVM skip the parser (ANTLR's
 * state machines and prediction caches are built by interpreted code at every JVM start: 30-40 ms of CPU for a small
 * Dockerfile). Generic over the model: records are written component by component and rebuilt through their
 * canonical constructors (so their checks and normalisations run again), with tagged values for what the model
 * holds besides (strings, numbers, booleans, chars, enums, Optional, List, Map in iteration order, Duration).
 * Only records and enums of {@code dev.wharf.grammar} are ever instantiated by name; anything else in the bytes is a
 * {@link IOException}, as is a value the encoder does not know (then nothing is cached). Stateless.
 */
public final class DockerfileCodec {
    /** Changes with the format (not with the model: the caller keys entries by the code's identity too). */
    private static final int MAGIC = 0x57444631; // "WDF1"
    private static final String MODEL_PACKAGE = "dev.wharf.grammar.";

    private static final int NULL = 0;
    private static final int STRING = 1;
    private static final int INT = 2;
    private static final int LONG = 3;
    private static final int BOOLEAN = 4;
    private static final int CHAR = 5;
    private static final int ENUM = 6;
    private static final int OPTIONAL_EMPTY = 7;
    private static final int OPTIONAL = 8;
    private static final int LIST = 9;
    private static final int MAP = 10;
    private static final int DURATION = 11;
    private static final int RECORD = 12;

    /** Per record class: its component accessors and canonical constructor (reflection is slow in a cold JVM). */
    private static final Map<Class<?>, Shape> SHAPES = new ConcurrentHashMap<>();

    private record Shape(Method[] accessors, Constructor<?> constructor) {
    }

    private DockerfileCodec() {
    }

    /** {@code dockerfile} as bytes; an {@link IOException} when it holds a value this format cannot carry. */
    public static byte[] encode(Dockerfile dockerfile) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(MAGIC);
        write(out, dockerfile);
        out.flush();
        return bytes.toByteArray();
    }

    /** The Dockerfile {@link #encode} wrote; an {@link IOException} for any bytes it did not write. */
    public static Dockerfile decode(byte[] data) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        if (in.readInt() != MAGIC) {
            throw new IOException("not an encoded Dockerfile");
        }
        Object value;
        try {
            value = read(in);
        } catch (RuntimeException e) {
            // A record's constructor refusing its components, a cast: bytes this encoder did not write.
            throw new IOException("undecodable Dockerfile: " + e, e);
        }
        if (!(value instanceof Dockerfile dockerfile) || in.read() != -1) {
            throw new IOException("not an encoded Dockerfile");
        }
        return dockerfile;
    }

    private static void write(DataOutputStream out, Object value) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof String s) {
            out.writeByte(STRING);
            writeString(out, s);
        } else if (value instanceof Integer i) {
            out.writeByte(INT);
            out.writeInt(i);
        } else if (value instanceof Long l) {
            out.writeByte(LONG);
            out.writeLong(l);
        } else if (value instanceof Boolean b) {
            out.writeByte(BOOLEAN);
            out.writeBoolean(b);
        } else if (value instanceof Character c) {
            out.writeByte(CHAR);
            out.writeChar(c);
        } else if (value instanceof Enum<?> e) {
            out.writeByte(ENUM);
            writeString(out, modelClass(e.getDeclaringClass()).getName());
            writeString(out, e.name());
        } else if (value instanceof Optional<?> o) {
            if (o.isEmpty()) {
                out.writeByte(OPTIONAL_EMPTY);
            } else {
                out.writeByte(OPTIONAL);
                write(out, o.get());
            }
        } else if (value instanceof List<?> list) {
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object element : list) {
                write(out, element);
            }
        } else if (value instanceof Map<?, ?> map) {
            out.writeByte(MAP);
            out.writeInt(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                write(out, entry.getKey());
                write(out, entry.getValue());
            }
        } else if (value instanceof Duration d) {
            out.writeByte(DURATION);
            out.writeLong(d.getSeconds());
            out.writeInt(d.getNano());
        } else if (value instanceof Record r) {
            Shape shape = shape(modelClass(r.getClass()));
            out.writeByte(RECORD);
            writeString(out, r.getClass().getName());
            out.writeInt(shape.accessors().length);
            for (Method accessor : shape.accessors()) {
                try {
                    write(out, accessor.invoke(r));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IOException("cannot read " + accessor, e);
                }
            }
        } else {
            throw new IOException("cannot encode a " + value.getClass().getName());
        }
    }

    private static Object read(DataInputStream in) throws IOException {
        int tag = in.readUnsignedByte();
        switch (tag) {
            case NULL:
                return null;
            case STRING:
                return readString(in);
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case BOOLEAN:
                return in.readBoolean();
            case CHAR:
                return in.readChar();
            case ENUM: {
                Class<?> type = modelClass(readString(in));
                String name = readString(in);
                for (Object constant : type.getEnumConstants() == null ? new Object[0] : type.getEnumConstants()) {
                    if (((Enum<?>) constant).name().equals(name)) {
                        return constant;
                    }
                }
                throw new IOException("no constant " + name + " in " + type.getName());
            }
            case OPTIONAL_EMPTY:
                return Optional.empty();
            case OPTIONAL:
                return Optional.of(nonNull(read(in)));
            case LIST: {
                int size = size(in);
                List<Object> list = new ArrayList<>(Math.min(size, 1024));
                for (int i = 0; i < size; i++) {
                    list.add(read(in));
                }
                // Unmodifiable as the parser's lists are (List.copyOf in the records' constructors); nulls kept
                // as Collections.unmodifiableList keeps them, for a list a constructor does not copy.
                return java.util.Collections.unmodifiableList(list);
            }
            case MAP: {
                int size = size(in);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < size; i++) {
                    map.put(read(in), read(in));
                }
                return java.util.Collections.unmodifiableMap(map);
            }
            case DURATION:
                return Duration.ofSeconds(in.readLong(), in.readInt());
            case RECORD: {
                Class<?> type = modelClass(readString(in));
                if (!type.isRecord()) {
                    throw new IOException(type.getName() + " is no record");
                }
                Shape shape = shape(type);
                int count = in.readInt();
                if (count != shape.accessors().length) {
                    throw new IOException("wrong component count for " + type.getName());
                }
                Object[] components = new Object[count];
                for (int i = 0; i < count; i++) {
                    components[i] = read(in);
                }
                try {
                    return shape.constructor().newInstance(components);
                } catch (InstantiationException | IllegalAccessException | InvocationTargetException e) {
                    throw new IOException("cannot rebuild " + type.getName() + ": " + e, e);
                }
            }
            default:
                throw new IOException("unknown tag " + tag);
        }
    }

    private static Object nonNull(Object value) throws IOException {
        if (value == null) {
            throw new IOException("null in an Optional");
        }
        return value;
    }

    private static int size(DataInputStream in) throws IOException {
        int size = in.readInt();
        if (size < 0) {
            throw new IOException("negative size");
        }
        return size;
    }

    private static Class<?> modelClass(Class<?> type) throws IOException {
        if (!type.getName().startsWith(MODEL_PACKAGE)) {
            throw new IOException("cannot encode a " + type.getName());
        }
        return type;
    }

    private static Class<?> modelClass(String name) throws IOException {
        if (!name.startsWith(MODEL_PACKAGE)) {
            throw new IOException("not a model class: " + name);
        }
        try {
            // Not initialised by name: only a record's constructor or an enum's constants, both of model classes.
            return Class.forName(name, false, DockerfileCodec.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IOException("unknown class " + name, e);
        }
    }

    private static Shape shape(Class<?> type) throws IOException {
        Shape known = SHAPES.get(type);
        if (known != null) {
            return known;
        }
        RecordComponent[] components = type.getRecordComponents();
        Method[] accessors = new Method[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            accessors[i] = components[i].getAccessor();
            accessors[i].setAccessible(true);
            types[i] = components[i].getType();
        }
        try {
            Constructor<?> constructor = type.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            Shape shape = new Shape(accessors, constructor);
            SHAPES.put(type, shape);
            return shape;
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new IOException("no canonical constructor in " + type.getName(), e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        // UTF-16 code units, not UTF-8: a lone surrogate (a Dockerfile's text is any Java string) survives them.
        out.writeInt(s.length());
        out.writeChars(s);
    }

    private static String readString(DataInputStream in) throws IOException {
        int length = size(in);
        if (length > in.available() / 2) {
            throw new IOException("truncated");
        }
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = in.readChar();
        }
        return new String(chars);
    }
}

package dev.starling.wasm;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.function.Function;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Compiles a module to JVM bytecode with Chicory's compiler, with its interruption check pointed at
 * {@link Safepoints#poll}.
 *
 * <p>How: Chicory copies its helper class ({@code Shaded}) into every compiled module as {@code <module>Shaded}, and
 * the generated code calls that copy's {@code checkInterruption()} at every back edge and call. Chicory's compiler
 * takes a {@link Cache} of compiled classes (a jar, keyed by the module's digest): the first compile stores the jar,
 * which this class rewrites on the way in (the body of {@code checkInterruption} becomes a call to
 * {@code Safepoints.poll}); a second compile then loads the rewritten classes from it. If a Chicory upgrade renames
 * the method, compiling fails loudly rather than leaving tasks that cannot be paused.
 */
final class SafepointCompiler {
    private static final String CHECK = "checkInterruption";
    private static final String POLL_OWNER = Type.getInternalName(Safepoints.class);

    private SafepointCompiler() {}

    static Function<Instance, Machine> compile(WasmModule module) {
        if (module.digest() == null) {
            throw new IllegalStateException("Chicory's parser gave the module no digest");
        }
        // no interpreter fallback for a function too large for one JVM method: interpreted code has no safepoints,
        // so it could be neither paused nor stopped at its CPU limit
        RewritingCache cache = new RewritingCache();
        MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.FAIL).withCache(cache)
                .compile();
        if (cache.jar == null) {
            throw new IllegalStateException("Chicory's compiler did not store the compiled classes");
        }
        return MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.FAIL)
                .withCache(cache).compile();
    }

    /** Holds one module's classes: the jar Chicory stored, with its interruption check rewritten. */
    private static final class RewritingCache implements Cache {
        private byte[] jar;

        @Override
        public byte[] get(String key) {
            return jar;
        }

        @Override
        public void putIfAbsent(String key, byte[] data) {
            if (jar == null) {
                jar = rewrite(data);
            }
        }
    }

    static byte[] rewrite(byte[] jar) {
        try (var in = new JarInputStream(new ByteArrayInputStream(jar));
                var bytes = new ByteArrayOutputStream(jar.length)) {
            boolean rewritten = false;
            try (var out = new JarOutputStream(bytes)) {
                Map<String, byte[]> entries = new HashMap<>();
                for (JarEntry entry; (entry = in.getNextJarEntry()) != null; ) {
                    byte[] content = in.readAllBytes();
                    if (entry.getName().endsWith("Shaded.class")) {
                        byte[] changed = rewriteShaded(content);
                        rewritten |= changed != content;
                        content = changed;
                    }
                    entries.put(entry.getName(), content);
                }
                for (var entry : entries.entrySet()) {
                    out.putNextEntry(new JarEntry(entry.getKey()));
                    out.write(entry.getValue());
                    out.closeEntry();
                }
            }
            if (!rewritten) {
                throw new IllegalStateException("Chicory's compiled module has no " + CHECK
                        + "() to point at Safepoints.poll: tasks could not be paused (was Chicory upgraded?)");
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class with the body of {@code checkInterruption()} replaced by a call to {@code Safepoints.poll()}. */
    private static byte[] rewriteShaded(byte[] content) {
        ClassReader reader = new ClassReader(content);
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        boolean[] found = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                if (!name.equals(CHECK) || !descriptor.equals("()V")) {
                    return super.visitMethod(access, name, descriptor, signature, exceptions);
                }
                found[0] = true;
                MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
                method.visitCode();
                method.visitMethodInsn(Opcodes.INVOKESTATIC, POLL_OWNER, "poll", "()V", false);
                method.visitInsn(Opcodes.RETURN);
                method.visitMaxs(0, 0);
                method.visitEnd();
                return null; // drop the original body
            }
        }, 0);
        return found[0] ? writer.toByteArray() : content;
    }
}

package dev.starling.coordinator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.sql.Statement;
import java.util.Set;
import org.springframework.jdbc.core.JdbcOperations;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcOperations;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The coordinator's package rules (docs/architecture.md). Rules are checked in {@code @ArchTest} methods: Surefire
 * 3.5.3 runs no {@code @ArchTest} fields (TNG/ArchUnit#1442).
 */
@AnalyzeClasses(packages = ArchitectureTest.ROOT, importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    static final String ROOT = "dev.starling.coordinator";

    /**
     * The one cycle that stays, frozen as one slice (docs/architecture.md says why): the life of a job goes round
     * these four. The splitter writes a job's work units (job -> workunit, which takes the job: workunit -> job) and
     * wakes the long polls (job -> dispatch); the gRPC service hands reports to validation (dispatch -> validation),
     * which decides work units, fails jobs and nudges the completer (validation -> job, workunit). A fifth package
     * joining the loop fails the test.
     */
    static final Set<String> WORK_LOOP = Set.of("dispatch", "job", "validation", "workunit");

    /** Top-level packages of the coordinator, the root package being one of them ({@code (root)}). */
    private static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String name = javaClass.getPackageName();
            if (name.equals(ROOT)) {
                return SliceIdentifier.of("(root)");
            }
            if (!name.startsWith(ROOT + ".")) {
                return SliceIdentifier.ignore();
            }
            String top = name.substring(ROOT.length() + 1).split("\\.")[0];
            return SliceIdentifier.of(WORK_LOOP.contains(top) ? "the work loop " + WORK_LOOP : top);
        }

        @Override
        public String getDescription() {
            return "the coordinator's top-level packages (the root package included)";
        }
    };

    @ArchTest
    static void noPackageCycles(JavaClasses classes) {
        slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(classes);
    }

    /** Classes that run SQL text. */
    private static final DescribedPredicate<JavaClass> RUNS_SQL = DescribedPredicate.describe("run SQL text",
            c -> c.isAssignableTo(JdbcClient.class) || c.isAssignableTo(JdbcOperations.class)
                    || c.isAssignableTo(NamedParameterJdbcOperations.class) || c.isAssignableTo(Statement.class));

    /** Classes other than *Table and *Queries classes (a nested class counts as the class it is in). */
    private static final DescribedPredicate<JavaClass> OUTSIDE_TABLES_AND_QUERIES = DescribedPredicate.describe(
            "are not *Table or *Queries classes", c -> {
                JavaClass top = c;
                while (top.getEnclosingClass().isPresent()) {
                    top = top.getEnclosingClass().get();
                }
                return !top.getSimpleName().endsWith("Table") && !top.getSimpleName().endsWith("Queries");
            });

    /**
     * SQL lives in *Table and *Queries classes. Exceptions: the {@code db} package starts the database rather than
     * querying it; {@code HostStanding} holds only SQL, under the name it had before the convention, until the trust
     * work rewriting it has landed.
     */
    @ArchTest
    static void sqlLivesInTablesAndQueries(JavaClasses classes) {
        noClasses().that(OUTSIDE_TABLES_AND_QUERIES)
                .and().resideOutsideOfPackage(ROOT + ".db..")
                .and().doNotHaveFullyQualifiedName(ROOT + ".host.HostStanding")
                .should().dependOnClassesThat(RUNS_SQL)
                .check(classes);
    }
}

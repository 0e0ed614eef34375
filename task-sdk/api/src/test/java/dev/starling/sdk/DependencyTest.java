package dev.starling.sdk;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The SDK depends on nothing of ours (DESIGN.md: the coordinator and the worker depend on it, never the other way)
 * and on no library either: researchers compile their apps against plain Java and this. (A plain JUnit test that
 * checks the rule: ArchUnit's own JUnit 5 engine finds no tests under JUnit 6, silently.)
 */
class DependencyTest {
    private static final JavaClasses SDK = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.starling.sdk");

    @Test
    void theSdkIsPlainJavaAndDependsOnNothingOfOurs() {
        classes().that().resideInAPackage("dev.starling.sdk..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.starling.sdk..", "java..")
                .because("task-sdk depends on nothing of Starling's but itself, and is pure Java")
                .check(SDK);
    }

    @Test
    void theRuleSeesTheSdk() {
        org.assertj.core.api.Assertions.assertThat(SDK.contain(App.class)).as("an empty import would pass anything")
                .isTrue();
    }
}

package dev.usagestats.jdbc;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

/**
 * The layering of usage-jdbc on its compiled classes: no two source files depend on each other in a
 * cycle, and nothing reaches into usage-core's internals (module-info enforces that at compile time
 * too).
 */
class ArchitectureTest {
  private static final JavaClasses JDBC =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.usagestats.jdbc");

  private static final SliceAssignment BY_FILE =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          JavaClass top = javaClass;
          while (top.getEnclosingClass().isPresent()) top = top.getEnclosingClass().get();
          return top.getPackageName().equals("dev.usagestats.jdbc")
              ? SliceIdentifier.of(top.getName())
              : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
          return "source files of usage-jdbc";
        }
      };

  @Test
  void sourceFiles_freeOfCycles() {
    slices().assignedFrom(BY_FILE).should().beFreeOfCycles().check(JDBC);
  }

  @Test
  void coreInternals_neverUsed() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.usagestats.internal..")
        .check(JDBC);
  }
}

package dev.usagestats.arch;

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
 * The layering of usage-core, checked on its compiled classes: no two files depend on each other in
 * a cycle, the SPI knows nothing of the implementation, and the implementation does not call back
 * into the public facade. (That other modules use only exported packages is enforced by each
 * module's {@code module-info.java} at compile time.)
 */
class ArchitectureTest {
  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.usagestats");

  /** Each top-level class with its nested classes is one slice: one source file. */
  private static final SliceAssignment BY_FILE =
      new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
          JavaClass top = javaClass;
          while (top.getEnclosingClass().isPresent()) top = top.getEnclosingClass().get();
          return top.getPackageName().startsWith("dev.usagestats")
              ? SliceIdentifier.of(top.getName())
              : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
          return "source files of usage-core";
        }
      };

  @Test
  void sourceFiles_freeOfCycles() {
    slices().assignedFrom(BY_FILE).should().beFreeOfCycles().check(CORE);
  }

  @Test
  void spi_independentOfInternal() {
    noClasses()
        .that()
        .resideInAPackage("dev.usagestats.spi..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.usagestats.internal..")
        .check(CORE);
  }

  @Test
  void internal_neverCallsTheFacade() {
    noClasses()
        .that()
        .resideInAPackage("dev.usagestats.internal..")
        .should()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.usagestats.UsageStats")
        .orShould()
        .dependOnClassesThat()
        .haveFullyQualifiedName("dev.usagestats.UsageStats$Builder")
        .check(CORE);
  }

  @Test
  void api_usesOnlyTheEngineChecksAndVarintsOfInternal() {
    noClasses()
        .that()
        .resideInAPackage("dev.usagestats")
        .should()
        .dependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe(
                "internal classes other than Engine, EngineConfig, Checks and Varints",
                (JavaClass c) ->
                    c.getPackageName().equals("dev.usagestats.internal")
                        && !c.getSimpleName().equals("Engine")
                        && !c.getSimpleName().equals("EngineConfig")
                        && !c.getSimpleName().equals("Checks")
                        && !c.getName().startsWith("dev.usagestats.internal.Varints")))
        .check(CORE);
  }
}

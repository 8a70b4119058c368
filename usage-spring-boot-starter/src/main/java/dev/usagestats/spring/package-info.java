/**
 * Spring Boot auto-configuration for usagestats: the engine ({@link
 * dev.usagestats.spring.UsageStatsAutoConfiguration}) from {@code usagestats.*} properties ({@link
 * dev.usagestats.spring.UsageStatsProperties}), a JDBC store on the application's {@code
 * DataSource}, Micrometer meters, a Spring AI hook, the LangChain4j listener, the {@code usage}
 * actuator endpoint ({@link dev.usagestats.spring.UsageEndpoint}) and a health indicator. Every
 * bean backs off when the application defines its own.
 */
@NullMarked
package dev.usagestats.spring;

import org.jspecify.annotations.NullMarked;

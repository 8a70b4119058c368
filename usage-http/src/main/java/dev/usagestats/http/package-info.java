/**
 * The usage query over HTTP, independent of any server: {@link dev.usagestats.http.UsageRequest}
 * turns request parameters into a {@link dev.usagestats.UsageQuery} (refusing a bad one with a
 * {@link dev.usagestats.http.BadRequestException} that names the parameter and the value), and
 * {@link dev.usagestats.http.ReportJson} renders a {@link dev.usagestats.UsageReport} as JSON. The
 * demo's {@code GET /api/usage} and the Spring Boot starter's {@code usage} actuator endpoint both
 * answer through it, so they take the same parameters and give the same answers and errors.
 */
@NullMarked
package dev.usagestats.http;

import org.jspecify.annotations.NullMarked;

"""The pieces of `benchmarks.training_speed`: settings, timing, runners, measurements.

One module per concept: `settings` (sizes and the shared update rule),
`timing` (epoch timers and medians), one module per runner family
(`stock_fit`, `kerasclf_engine`, `hand_written`, `numpy_loop`, `sklearn_sgd`),
`paths` (the table's rows and ratios), `throughput` and `processes` (the two
kinds of measurement) and `document` (the Markdown report, built from the
tables in `benchmarks.report`).
"""

# Shared by every fixture script: writes a fixture as JSON with 16 significant digits and the
# versions that produced it. Run from the repository root: Rscript test/reference/NAME.R
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

write_fixture <- function(name, cases) {
  out <- list(
    meta = list(
      script = paste0("test/reference/", name, ".R"),
      r = R.version.string,
      survival = as.character(packageVersion("survival")),
      jsonlite = as.character(packageVersion("jsonlite"))
    ),
    cases = cases
  )
  path <- file.path("test", "reference", "fixtures", paste0(name, ".json"))
  writeLines(toJSON(out, digits = I(16), auto_unbox = TRUE, null = "null", na = "null", pretty = TRUE), path)
  cat("wrote", path, "\n")
}

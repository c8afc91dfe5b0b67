"""Reference results for the tests: values from R or Stata with the script that made them."""

"""Forms of the web pages, one module per area. They check the input's shape only; the rules live
in the services, whose errors (`CaseError.field`) `common.show_error` puts next to the field."""

"""Personal data (PIPL): ID numbers encrypted at rest and found by keyed hash (crypto), read and
checked (idnumber), shown masked unless the user holds the permission, and every full showing
logged (masking: the one place that decides and logs, for pages, exports and the API)."""
